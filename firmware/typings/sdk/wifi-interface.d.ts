// ECMA-419 Wi-Fi network interface ($(MODDABLE)/modules/io/wifi, module
// "embedded:network/interface/wifi"): @moddable/typings 5.6.0 on npm lacks it, the SDK 8.2.3 tree
// has typings/embedded_network/interface/wifi.d.ts, which mcconfig uses. This one serves
// firmware/tsconfig.json only. Checked against modules/io/wifi/esp32/wifi-esp32.{js,c}:
// `connection` is 200 (down), 300 (connecting), 400 (associated), 500 (has an IPv4 address);
// `MAC` is "aa:bb:cc:dd:ee:ff"; connect() throws "already connecting" while a join is under way
// and nothing reconnects by itself.

declare module "embedded:network/interface/wifi" {
  import type { PortSpecifier } from "embedded:io/_common";

  export type WiFiChangedProperty = "connection" | "address";

  export interface WiFiConstructorOptions {
    port?: PortSpecifier;
    onChanged?: (property: WiFiChangedProperty) => void;
  }

  export interface WiFiConnectOptions {
    SSID: string;
    password?: string;
  }

  class WiFi {
    constructor(options: WiFiConstructorOptions);

    close(): void;
    connect(options: WiFiConnectOptions): void;
    disconnect(): void;

    readonly connection: number;
    readonly address: string | undefined;
    readonly MAC: string | undefined;
    readonly SSID: string | undefined;
    readonly RSSI: number | undefined;
  }

  export default WiFi;
}
