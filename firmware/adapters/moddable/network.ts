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
//
// With `timeServer` set (an mqtts:// broker: TLS checks certificate dates against Date.now(), and
// an ESP32 starts in 1970), the link is reported up only after SNTP has set the clock, as the
// SDK's own setup/network does with config.sntp (build/devices/esp32/setup/network.js). The legacy
// "sntp" module ($(MODDABLE)/modules/network/sntp) retries by itself and ends in `SNTP.time` or
// `SNTP.error`; after an error the link is reported up anyway and TLS fails with a date error,
// retried with backoff, and the next rejoin tries SNTP again.

import WiFi from "embedded:network/interface/wifi";
import SNTP from "sntp";
import Time from "time";
import type { Backoff } from "@shipgate/protocol/backoff";
import type { Clock, Log, NetworkPort, TimerHandle } from "../../core/ports";
import { guard } from "./guard";

export interface WifiOptions {
  /** Network name; without one the gadget stays offline and says so once. */
  ssid: string | undefined;
  password: string | undefined;
  /** Milliseconds a join may take before it is abandoned and retried. */
  joinTimeoutMs: number;
  /** NTP server to set the clock from before reporting the link up; none skips it. */
  timeServer?: string;
}

/** A clock before this (2023-01-03, the SDK's own threshold in setup/network.js) was never set. */
const CLOCK_SET_AFTER_MS = 1_672_722_071_000;

export const WIFI_DEFAULTS = Object.freeze({ joinTimeoutMs: 20_000, timeServer: "pool.ntp.org" });

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
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: holds the SNTP client while its query runs, so it is not collected
  #sntp: SNTP | undefined;

  constructor(options: WifiOptions, clock: Clock, log: Log, backoff: Backoff) {
    this.#options = options;
    this.#clock = clock;
    this.#log = log;
    this.#backoff = backoff;
    // Made at once, not in start(): the app asks for the MAC (its MQTT client id) before it starts.
    this.#wifi = new WiFi({
      onChanged: guard(log, "wifi", (property) => {
        if (property === "connection") this.#changed();
      }),
    });
  }

  start(onUp: () => void, onDown: () => void): void {
    this.#onUp = onUp;
    this.#onDown = onDown;
    if (this.#options.ssid === undefined || this.#options.ssid === "") {
      this.#log.warn('wifi: no ssid configured (mcconfig ssid=... or the "ssid" setting); staying offline');
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
      this.#setClockThenUp();
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

  #setClockThenUp(): void {
    const server = this.#options.timeServer;
    if (server === undefined || server === "" || Date.now() > CLOCK_SET_AFTER_MS) {
      this.#onUp?.();
      return;
    }
    this.#log.info(`sntp: setting the clock from ${server} (TLS checks certificate dates)`);
    this.#sntp = new SNTP(
      { host: server },
      guard(this.#log, "sntp", (message: number, value?: number) => {
        if (message === SNTP.retry) return;
        this.#sntp = undefined;
        if (message === SNTP.time && value !== undefined) {
          Time.set(value);
          this.#log.info(`sntp: clock set to ${new Date(value * 1000).toISOString()}`);
        } else {
          this.#log.warn(`sntp: no time from ${server}; TLS will refuse certificates until the clock is set`);
        }
        if (this.#up) this.#onUp?.();
      }),
    );
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
