// NetworkPort on the device: ECMA-419 Wi-Fi station ("embedded:network/interface/wifi",
// $(MODDABLE)/modules/io/wifi/esp32). The manifest removes Moddable's setup/network, which would
// join once before main runs and never again; here the adapter joins, reports the link to the
// session, and rejoins after every loss with the core's backoff (1 s doubling to 64 s, jittered,
// reset once an address arrives), because the interface does not reconnect by itself.
//
// Facts from wifi-esp32.{js,c} (SDK 8.2.3): `connection` is 200 down, 300 connecting, 400
// associated, 500 has an IPv4 address, and onChanged("connection") fires on every change;
// connect() throws "already connecting" while a join is under way; a wrong password or a missing
// network ends the join with a change back to 200. A join that hangs is given up after
// joinTimeoutMs.

import WiFi from "embedded:network/interface/wifi";
import type { Backoff } from "../../core/backoff";
import type { Clock, Log, NetworkPort, TimerHandle } from "../../core/ports";

export interface WifiOptions {
  /** Network name; without one the gadget stays offline and says so once. */
  ssid: string | undefined;
  password: string | undefined;
  /** Milliseconds a join may take before it is abandoned and retried. */
  joinTimeoutMs: number;
}

export const WIFI_DEFAULTS = Object.freeze({ joinTimeoutMs: 20_000 });

const CONNECTION_HAS_ADDRESS = 500;
const MAC_UNKNOWN = "000000000000";

export class ModdableWifiNetwork implements NetworkPort {
  readonly #options: WifiOptions;
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #backoff: Backoff;
  readonly #wifi: WiFi;
  #onUp: (() => void) | undefined;
  #onDown: (() => void) | undefined;
  #up = false;
  #joinTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;

  constructor(options: WifiOptions, clock: Clock, log: Log, backoff: Backoff) {
    this.#options = options;
    this.#clock = clock;
    this.#log = log;
    this.#backoff = backoff;
    // Made at once, not in start(): the app asks for the MAC (its MQTT client id) before it starts.
    this.#wifi = new WiFi({
      onChanged: (property) => {
        if (property === "connection") this.#changed();
      },
    });
  }

  start(onUp: () => void, onDown: () => void): void {
    this.#onUp = onUp;
    this.#onDown = onDown;
    if (this.#options.ssid === undefined || this.#options.ssid === "") {
      this.#log.warn("wifi: no ssid configured (mcconfig ssid=... or the \"ssid\" setting); staying offline");
      return;
    }
    // Already joined (a soft restart keeps the station up): report it without a new join.
    if (this.#wifi.connection === CONNECTION_HAS_ADDRESS) this.#changed();
    else this.#join();
  }

  rssi(): number {
    return this.#wifi.RSSI ?? 0;
  }

  mac(): string {
    const mac = this.#wifi.MAC;
    if (mac === undefined) return MAC_UNKNOWN;
    const hex = mac.split(":").join("").toLowerCase();
    return /^[0-9a-f]{12}$/.test(hex) ? hex : MAC_UNKNOWN;
  }

  /** Stops rejoining and releases the interface. */
  close(): void {
    this.#cancel();
    this.#onUp = this.#onDown = undefined;
    this.#wifi.close();
  }

  #join(): void {
    this.#cancel();
    const ssid = this.#options.ssid;
    if (ssid === undefined || this.#onUp === undefined) return;
    try {
      const password = this.#options.password;
      this.#wifi.connect(password === undefined || password === "" ? { SSID: ssid } : { SSID: ssid, password });
    } catch (e) {
      this.#retry(`join of "${ssid}" refused: ${String(e)}`);
      return;
    }
    this.#joinTimer = this.#clock.after(this.#options.joinTimeoutMs, () => {
      this.#joinTimer = undefined;
      if (this.#up) return;
      try {
        this.#wifi.disconnect();
      } catch {
        // Already down: the retry below is all that is needed.
      }
      this.#retry(`no address from "${ssid}" within ${this.#options.joinTimeoutMs} ms`);
    });
  }

  #changed(): void {
    if (this.#onUp === undefined) return;
    const connection = this.#wifi.connection;
    if (connection === CONNECTION_HAS_ADDRESS) {
      if (this.#up) return;
      this.#up = true;
      this.#cancel();
      this.#backoff.reset();
      this.#log.info(`wifi: joined "${this.#options.ssid ?? ""}" as ${this.#wifi.address ?? "?"}, RSSI ${this.rssi()} dBm`);
      this.#onUp();
      return;
    }
    if (this.#up) {
      this.#up = false;
      this.#onDown?.();
      this.#retry("link lost");
      return;
    }
    // A join that ended without an address (wrong password, network gone): try again later.
    if (connection === 200 && this.#joinTimer !== undefined) this.#retry(`join of "${this.#options.ssid ?? ""}" failed`);
  }

  #retry(why: string): void {
    this.#cancel();
    const delay = this.#backoff.next();
    this.#log.warn(`wifi: ${why}; rejoin ${this.#backoff.attempts} in ${delay} ms`);
    this.#retryTimer = this.#clock.after(delay, () => {
      this.#retryTimer = undefined;
      this.#join();
    });
  }

  #cancel(): void {
    if (this.#joinTimer !== undefined) this.#clock.cancel(this.#joinTimer);
    if (this.#retryTimer !== undefined) this.#clock.cancel(this.#retryTimer);
    this.#joinTimer = this.#retryTimer = undefined;
  }
}
