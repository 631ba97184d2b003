// The gadget's configuration: parse the raw object (mcconfig's `key=value` arguments arrive as
// strings; the manifest's `config` adds numbers and objects, and `pins` from hardware/pinout.json),
// then let Settings (NVS on the device) override what is provisioned at run time. Nothing here
// throws: every bad or missing value becomes one problem (key, source and reason) and a safe
// fallback, and the app shows "SETUP" when it cannot reach a broker.

import { NODE_ID_PATTERN } from "@shipgate/protocol/messages";
import { DEFAULT_PREFIX, prefixProblem } from "@shipgate/protocol/topics";
import { decodeCertificate } from "./certificate";
import type { Settings } from "./ports";

export const PIN_NAMES = [
  "approve",
  "reject",
  "release",
  "sync",
  "ring_a",
  "ring_b",
  "spi_clock",
  "spi_mosi",
  "spi_select",
  // The buttons' LEDs (hardware/pinout.json): GPIO -> 220 Ω -> LED -> GND.
  "led_approve",
  "led_reject",
  "led_release",
  "led_sync",
] as const;
export type PinName = (typeof PIN_NAMES)[number];

export type DisplayKind = "matrix" | "seg7";

export interface GadgetConfig {
  /** GPIO numbers from hardware/pinout.json; a missing pin disables that part. */
  pins: { [name in PinName]?: number };
  /** ESP32 SPI host for the MAX7219 (Moddable's SPI `port`: 0, 1 or 2). */
  spiPort: number;
  /** SPI clock in Hz; the MAX7219 accepts up to 10 MHz (datasheet, timing characteristics). */
  spiHz: number;
  /** LEDs per ring. */
  ringLeds: number;
  display: DisplayKind;
  /** 8x8 modules in the matrix chain. */
  matrixModules: number;
  /** MAX7219 intensity register, 0 to 15 (datasheet table 7). */
  matrixIntensity: number;
  /** Highest ring brightness, 0 to 255, to keep the rings within the USB supply's current. */
  brightnessCap: number;
  ssid?: string;
  wifiPassword?: string;
  /** mqtt://host[:port] or mqtts://host[:port]. */
  broker?: string;
  /** This gadget's id: one topic level. */
  gadget?: string;
  username?: string;
  mqttPassword?: string;
  /** Shared secret for signing events (HMAC-SHA256); absent means events go unsigned. */
  secret?: string;
  /** The CA certificate (DER) that signed the broker's, for mqtts:// (certificate.ts). */
  ca?: Uint8Array;
  /** NTP server that sets the clock before TLS checks certificate dates. */
  sntp?: string;
  /** Topic prefix, ending in "/". */
  prefix: string;
  /** Seconds between heartbeats. */
  heartbeatS: number;
}

export const CONFIG_DEFAULTS: Readonly<GadgetConfig> = Object.freeze({
  pins: Object.freeze({}),
  spiPort: 1,
  spiHz: 1_000_000,
  ringLeds: 12,
  display: "matrix" as DisplayKind,
  matrixModules: 4,
  matrixIntensity: 4,
  brightnessCap: 64,
  prefix: DEFAULT_PREFIX,
  heartbeatS: 30,
});

export interface ConfigProblem {
  /** The key as written in the config, "pins.sync" for nested ones. */
  key: string;
  /** "config" (mcconfig/manifest) or "settings" (NVS). */
  source: "config" | "settings";
  reason: string;
}

export interface LoadedConfig {
  config: GadgetConfig;
  problems: ConfigProblem[];
  /** True when broker and gadget id are known, so the session can start. */
  ready: boolean;
}

/** The Settings keys that override config at run time (NVS keys are at most 15 characters). */
export const SETTING_KEYS = ["ssid", "password", "broker", "gadget", "username", "mqtt_password", "secret", "prefix", "heartbeat_s", "ca", "sntp"] as const;

const BROKER_PATTERN = /^mqtts?:\/\/[^\s/:@?#]+(:(\d{1,5}))?\/?$/;

type Source = "config" | "settings";

/** One key's value read from config then settings, checked by `check` (which returns a reason or the value). */
class Reader {
  readonly problems: ConfigProblem[] = [];
  readonly #raw: { readonly [key: string]: unknown };
  readonly #settings: Pick<Settings, "get"> | undefined;

  constructor(raw: { readonly [key: string]: unknown }, settings: Pick<Settings, "get"> | undefined) {
    this.#raw = raw;
    this.#settings = settings;
  }

  problem(key: string, source: Source, reason: string): void {
    this.problems.push({ key, source, reason });
  }

  /** The value from settings when valid, else from config when valid, else undefined. */
  read<T>(key: string, check: (value: unknown) => { value: T } | { reason: string }, settingKey?: string): T | undefined {
    let chosen: T | undefined;
    const fromConfig = Object.hasOwn(this.#raw, key) ? this.#raw[key] : undefined;
    if (fromConfig !== undefined && fromConfig !== null && fromConfig !== "") {
      const r = check(fromConfig);
      if ("reason" in r) this.problem(key, "config", r.reason);
      else chosen = r.value;
    }
    if (settingKey !== undefined && this.#settings !== undefined) {
      let fromSettings: unknown;
      try {
        fromSettings = this.#settings.get(settingKey);
      } catch {
        this.problem(key, "settings", "could not be read");
      }
      if (fromSettings !== undefined && fromSettings !== "") {
        const r = check(fromSettings);
        if ("reason" in r) this.problem(key, "settings", r.reason);
        else chosen = r.value;
      }
    }
    return chosen;
  }
}

/** Whole numbers, also from the decimal strings mcconfig produces. */
function integer(min: number, max: number) {
  return (value: unknown): { value: number } | { reason: string } => {
    let n = NaN;
    if (typeof value === "number") n = value;
    else if (typeof value === "string" && /^-?\d{1,10}$/.test(value.trim())) n = Number(value.trim());
    if (!Number.isInteger(n)) return { reason: `must be a whole number, got ${describe(value)}` };
    if (n < min || n > max) return { reason: `must be between ${min} and ${max}, got ${n}` };
    return { value: n };
  };
}

function text(max: number, secret = false) {
  return (value: unknown): { value: string } | { reason: string } => {
    if (typeof value !== "string") return { reason: `must be text, got ${secret ? typeof value : describe(value)}` };
    if (value.length > max) return { reason: `must have at most ${max} characters, has ${value.length}` };
    if (/[\u0000-\u001f\u007f]/.test(value)) return { reason: "must not contain control characters" };
    return { value };
  };
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  if (typeof value === "object") return value === null ? "null" : Array.isArray(value) ? "a list" : "an object";
  return String(value);
}

function checkBroker(value: unknown): { value: string } | { reason: string } {
  const why = "must be mqtt://host[:port] or mqtts://host[:port]";
  if (typeof value !== "string") return { reason: `${why}, got ${describe(value)}` };
  const m = BROKER_PATTERN.exec(value.trim());
  if (m === null) return { reason: `${why}, got ${describe(value)}` };
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return { reason: `port must be between 1 and 65535, got ${port}` };
  }
  return { value: value.trim() };
}

function checkGadgetId(value: unknown): { value: string } | { reason: string } {
  if (typeof value !== "string" || !NODE_ID_PATTERN.test(value)) {
    return { reason: `must be 1 to 64 letters, digits, '_', '.' or '-' (one topic level), got ${describe(value)}` };
  }
  return { value };
}

function checkPrefix(value: unknown): { value: string } | { reason: string } {
  if (typeof value !== "string") return { reason: `must be text, got ${describe(value)}` };
  const problem = prefixProblem(value);
  return problem === undefined ? { value } : { reason: `${problem}, got ${describe(value)}` };
}

function checkCa(value: unknown): { value: Uint8Array } | { reason: string } {
  if (typeof value !== "string") return { reason: `must be PEM or base64 text, got ${describe(value)}` };
  // An NVS string holds up to 4000 bytes (moddable.md); a PEM CA certificate is about 0.6-2 KB.
  if (value.length > 4000) return { reason: `must have at most 4000 characters, has ${value.length}` };
  const decoded = decodeCertificate(value);
  return "der" in decoded ? { value: decoded.der } : decoded;
}

const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

function checkHost(value: unknown): { value: string } | { reason: string } {
  if (typeof value !== "string" || value.length > 253 || !HOST_PATTERN.test(value)) return { reason: `must be a host name or IPv4 address, got ${describe(value)}` };
  return { value };
}

function checkDisplay(value: unknown): { value: DisplayKind } | { reason: string } {
  return value === "matrix" || value === "seg7" ? { value } : { reason: `must be "matrix" or "seg7", got ${describe(value)}` };
}

const pinNumber = integer(0, 48);

/** Parse raw config and settings. Never throws; see LoadedConfig. */
export function loadConfig(raw: unknown, settings?: Pick<Settings, "get">): LoadedConfig {
  const object = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as { readonly [key: string]: unknown }) : {};
  const r = new Reader(object, settings);
  if (object !== raw) r.problem("", "config", `must be an object, got ${describe(raw)}`);
  const d = CONFIG_DEFAULTS;

  const pins: { [name in PinName]?: number } = {};
  const rawPins = object.pins;
  if (rawPins !== undefined) {
    if (typeof rawPins !== "object" || rawPins === null || Array.isArray(rawPins)) {
      r.problem("pins", "config", `must be an object of pin numbers, got ${describe(rawPins)}`);
    } else {
      const p = rawPins as { readonly [key: string]: unknown };
      for (const key of Object.keys(p)) {
        if ((PIN_NAMES as readonly string[]).indexOf(key) < 0) {
          r.problem("pins." + key, "config", `is not a known pin (known: ${PIN_NAMES.join(", ")})`);
          continue;
        }
        const checked = pinNumber(p[key]);
        if ("reason" in checked) r.problem("pins." + key, "config", checked.reason);
        else pins[key as PinName] = checked.value;
      }
    }
  }

  const config: GadgetConfig = {
    pins,
    spiPort: r.read("spi_port", integer(0, 2)) ?? d.spiPort,
    spiHz: r.read("spi_hz", integer(100_000, 10_000_000)) ?? d.spiHz,
    ringLeds: r.read("ring_leds", integer(1, 64)) ?? d.ringLeds,
    display: r.read("display", checkDisplay) ?? d.display,
    matrixModules: r.read("matrix_modules", integer(1, 16)) ?? d.matrixModules,
    matrixIntensity: r.read("matrix_intensity", integer(0, 15)) ?? d.matrixIntensity,
    brightnessCap: r.read("brightness_cap", integer(0, 255)) ?? d.brightnessCap,
    prefix: r.read("prefix", checkPrefix, "prefix") ?? d.prefix,
    heartbeatS: r.read("heartbeat_s", integer(5, 3600), "heartbeat_s") ?? d.heartbeatS,
  };
  const optional: [keyof GadgetConfig, string, (v: unknown) => { value: string } | { reason: string }, string][] = [
    ["ssid", "ssid", text(32), "ssid"],
    ["wifiPassword", "password", text(64, true), "password"],
    ["broker", "broker", checkBroker, "broker"],
    ["gadget", "gadget", checkGadgetId, "gadget"],
    ["username", "username", text(128), "username"],
    ["mqttPassword", "mqtt_password", text(128, true), "mqtt_password"],
    ["secret", "secret", text(128, true), "secret"],
  ];
  for (const [field, key, check, settingKey] of optional) {
    const value = r.read(key, check, settingKey);
    if (value !== undefined) (config as unknown as { [k: string]: unknown })[field] = value;
  }
  const ca = r.read("ca", checkCa, "ca");
  if (ca !== undefined) config.ca = ca;
  const sntp = r.read("sntp", checkHost, "sntp");
  if (sntp !== undefined) config.sntp = sntp;
  const reported = (key: string): boolean => r.problems.some((p) => p.key === key);
  if (config.broker === undefined && !reported("broker")) r.problem("broker", "config", "is missing: give mcconfig broker=mqtt://host:1883 or provision the setting");
  if (config.gadget === undefined && !reported("gadget")) r.problem("gadget", "config", "is missing: give mcconfig gadget=<id> or provision the setting");
  return { config, problems: r.problems, ready: config.broker !== undefined && config.gadget !== undefined };
}

/** One trace line per problem, e.g. `config: broker (settings) must be mqtt://...`. */
export function problemLine(p: ConfigProblem): string {
  return `config: ${p.key === "" ? "(root)" : p.key} (${p.source}) ${p.reason}`;
}
