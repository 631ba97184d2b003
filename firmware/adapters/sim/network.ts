// NetworkPort in the Moddable simulator: the computer's own network, always up, so the session
// goes straight to MQTT (Moddable's mqtt/js over the host's sockets). There is no Wi-Fi to join
// and no clock to set (the host's clock is right, so TLS date checks pass). The MAC, which becomes
// the MQTT client id, is made from the gadget id so that two simulators on one broker do not
// take over each other's session. Mapped in place of adapters/moddable/network on host platforms,
// with the same exports and constructor.

import type { Backoff } from "@shipgate/protocol/backoff";
import config from "mc/config";
import type { Clock, Log, NetworkPort } from "../../core/ports";
import { macFromName } from "./mac";

export interface WifiOptions {
  ssid: string | undefined;
  password: string | undefined;
  joinTimeoutMs: number;
  timeServer?: string;
}

export const WIFI_DEFAULTS = Object.freeze({ joinTimeoutMs: 20_000, timeServer: "pool.ntp.org" });

export class ModdableWifiNetwork implements NetworkPort {
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #mac: string;

  constructor(_options: WifiOptions, clock: Clock, log: Log, _backoff: Backoff) {
    this.#clock = clock;
    this.#log = log;
    this.#mac = macFromName(typeof config.gadget === "string" ? config.gadget : "simulator");
  }

  start(onUp: () => void, _onDown: () => void): void {
    this.#log.info("network: simulator, using the computer's network (ssid and password are not used)");
    // Reported from a timer, as the device's join completes later, never inside start().
    this.#clock.after(0, onUp);
  }

  rssi(): number {
    return 0;
  }

  mac(): string {
    return this.#mac;
  }

  close(): void {}
}
