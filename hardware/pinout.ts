// Reads hardware/pinout.json: a Moddable manifest fragment (its `platforms.*.config` is what the
// firmware gets as `mc/config`) plus a `shipgate` section with the board facts and variants that
// only these tools read. This module knows the shapes; validate.ts knows the rules.

import { isChipId, type ChipId } from "./chips";

export const BUTTON_ROLES = ["approve", "reject", "release", "sync"] as const;
export type ButtonRole = (typeof BUTTON_ROLES)[number];
export const BUTTON_LED_ROLES = ["led_approve", "led_reject", "led_release", "led_sync"] as const;
export type ButtonLedRole = (typeof BUTTON_LED_ROLES)[number];
export const RING_ROLES = ["ring_a", "ring_b"] as const;
export const SPI_ROLES = ["spi_clock", "spi_mosi", "spi_select"] as const;
export const PIN_ROLES = [...BUTTON_ROLES, ...RING_ROLES, ...SPI_ROLES, ...BUTTON_LED_ROLES] as const;
export type PinRole = (typeof PIN_ROLES)[number];

/** Roles that may be missing: a gadget without button LEDs, or with one ring, still works. */
const OPTIONAL_ROLES: readonly PinRole[] = ["ring_b", ...BUTTON_LED_ROLES];

/** The firmware's view of the hardware: exactly the keys it reads from mc/config. */
export interface BoardConfig {
  board: string;
  pins: Partial<Record<PinRole, number>>;
  /** Moddable device.io.SPI `port`: the ESP-IDF host number (1 = SPI2, 2 = SPI3). */
  spi_port: number;
  /** SPI clock in Hz. */
  spi_hz: number;
  /** LEDs per ring. */
  ring_leds: number;
  rings: number;
  display: "matrix" | "seg7";
  /** 8x8 matrix modules in the MAX7219 chain (display "matrix" only). */
  matrix_modules: number;
  /** MAX7219 intensity register value, 0-15 (datasheet Table 7). */
  matrix_intensity: number;
  /** 0-255; the firmware scales every ring channel by brightness_cap/255. */
  brightness_cap: number;
  buttons_pullup: "internal" | "external";
}

export interface HeaderFacts {
  name: string;
  side: "left" | "right";
  /** Header positions from the antenna end: a GPIO number or a power/control label. */
  pins: Array<number | string>;
}

export interface BoardFacts {
  id: string;
  name: string;
  chip: ChipId;
  /** The mcconfig platform (`-p`) that builds for this board. */
  platform: string;
  /** Board current besides the module (USB-serial bridge, power LED, regulator), mA. */
  overheadMa: number;
  headers: HeaderFacts[];
  /** GPIOs the board itself uses, with the reason. */
  reserved: Record<number, string>;
}

export interface VariantFacts {
  name: string;
  platform: string;
  /** key=value arguments given to mcconfig for this variant (strings, as on a command line). */
  set: Record<string, string>;
}

export interface ButtonLedFacts {
  colour: string;
  /** LED forward voltage, V. */
  vf: number;
  /** Series resistor, ohms. */
  resistorOhm: number;
}

export interface PartsFacts {
  ws2812: { channelMa: number; idleMa: number };
  max7219: { rsetOhm: number; ledVf: number; chipMa: number };
  buttonLeds: Partial<Record<ButtonRole, ButtonLedFacts>>;
  pullupOhm: number;
  ringResistorOhm: number;
  ringCapacitorUf: number;
  supply: { volts: number; amps: number };
  /** Factor between the worst-case current and the supply rating the budget asks for. */
  margin: number;
}

/** A Moddable manifest, as far as mcconfig's config merging goes. */
export interface ManifestLike {
  config?: Record<string, unknown>;
  platforms?: Record<string, { config?: Record<string, unknown> } | undefined>;
}

export interface Pinout {
  manifest: ManifestLike;
  boards: Record<string, BoardFacts>;
  variants: VariantFacts[];
  parts: PartsFacts;
}

/** A malformed pinout.json: names the key and the reason. */
export class PinoutError extends Error {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`hardware/pinout.json: ${key}: ${reason}`);
    this.name = "PinoutError";
    this.key = key;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, key: string): Record<string, unknown> {
  if (!isRecord(value)) throw new PinoutError(key, "must be an object");
  return value;
}

function num(value: unknown, key: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new PinoutError(key, "must be a number");
  return value;
}

function str(value: unknown, key: string): string {
  if (typeof value !== "string" || value === "") throw new PinoutError(key, "must be a non-empty string");
  return value;
}

function parseBoard(id: string, raw: unknown): BoardFacts {
  const key = `shipgate.boards.${id}`;
  const b = record(raw, key);
  const chip = b.chip;
  if (!isChipId(chip)) throw new PinoutError(`${key}.chip`, 'must be "esp32" or "esp32s3"');
  if (!Array.isArray(b.headers)) throw new PinoutError(`${key}.headers`, "must be an array");
  const headers = b.headers.map((h, i): HeaderFacts => {
    const hk = `${key}.headers[${i}]`;
    const hr = record(h, hk);
    if (hr.side !== "left" && hr.side !== "right") throw new PinoutError(`${hk}.side`, 'must be "left" or "right"');
    if (!Array.isArray(hr.pins)) throw new PinoutError(`${hk}.pins`, "must be an array");
    const pins = hr.pins.map((p, j) => {
      if (typeof p === "number" || typeof p === "string") return p;
      throw new PinoutError(`${hk}.pins[${j}]`, "must be a GPIO number or a label");
    });
    return { name: str(hr.name, `${hk}.name`), side: hr.side, pins };
  });
  const reserved: Record<number, string> = {};
  for (const [pin, why] of Object.entries(record(b.reserved ?? {}, `${key}.reserved`))) {
    reserved[Number(pin)] = str(why, `${key}.reserved.${pin}`);
  }
  return {
    id,
    name: str(b.name, `${key}.name`),
    chip,
    platform: str(b.platform, `${key}.platform`),
    overheadMa: num(b.overhead_ma, `${key}.overhead_ma`),
    headers,
    reserved,
  };
}

function parseParts(raw: unknown): PartsFacts {
  const p = record(raw, "shipgate.parts");
  const ws = record(p.ws2812, "shipgate.parts.ws2812");
  const mx = record(p.max7219, "shipgate.parts.max7219");
  const supply = record(p.supply, "shipgate.parts.supply");
  const buttonLeds: Partial<Record<ButtonRole, ButtonLedFacts>> = {};
  const leds = record(p.button_leds ?? {}, "shipgate.parts.button_leds");
  for (const role of BUTTON_ROLES) {
    const led = leds[role];
    if (led === undefined) continue;
    const k = `shipgate.parts.button_leds.${role}`;
    const l = record(led, k);
    buttonLeds[role] = { colour: str(l.colour, `${k}.colour`), vf: num(l.vf, `${k}.vf`), resistorOhm: num(l.resistor_ohm, `${k}.resistor_ohm`) };
  }
  return {
    ws2812: { channelMa: num(ws.channel_ma, "shipgate.parts.ws2812.channel_ma"), idleMa: num(ws.idle_ma, "shipgate.parts.ws2812.idle_ma") },
    max7219: {
      rsetOhm: num(mx.rset_ohm, "shipgate.parts.max7219.rset_ohm"),
      ledVf: num(mx.led_vf, "shipgate.parts.max7219.led_vf"),
      chipMa: num(mx.chip_ma, "shipgate.parts.max7219.chip_ma"),
    },
    buttonLeds,
    pullupOhm: num(p.pullup_ohm, "shipgate.parts.pullup_ohm"),
    ringResistorOhm: num(p.ring_resistor_ohm, "shipgate.parts.ring_resistor_ohm"),
    ringCapacitorUf: num(p.ring_capacitor_uf, "shipgate.parts.ring_capacitor_uf"),
    supply: { volts: num(supply.volts, "shipgate.parts.supply.volts"), amps: num(supply.amps, "shipgate.parts.supply.amps") },
    margin: num(p.margin, "shipgate.parts.margin"),
  };
}

/** Parses the whole file; throws PinoutError when the shipgate metadata is malformed. */
export function parsePinout(json: unknown): Pinout {
  const root = record(json, "(root)");
  const platforms = record(root.platforms, "platforms");
  const meta = record(root.shipgate, "shipgate");
  const boards: Record<string, BoardFacts> = {};
  for (const [id, raw] of Object.entries(record(meta.boards, "shipgate.boards"))) boards[id] = parseBoard(id, raw);
  if (!Array.isArray(meta.variants)) throw new PinoutError("shipgate.variants", "must be an array");
  const variants = meta.variants.map((v, i): VariantFacts => {
    const k = `shipgate.variants[${i}]`;
    const r = record(v, k);
    const set: Record<string, string> = {};
    for (const [name, value] of Object.entries(record(r.set ?? {}, `${k}.set`))) set[name] = str(value, `${k}.set.${name}`);
    return { name: str(r.name, `${k}.name`), platform: str(r.platform, `${k}.platform`), set };
  });
  const manifest: ManifestLike = { platforms: platforms as ManifestLike["platforms"] };
  if (isRecord(root.config)) manifest.config = root.config;
  return { manifest, boards, variants, parts: parseParts(meta.parts) };
}

/**
 * The platform entry mcconfig picks for `-p platform` (tools/mcmanifest.js matchPlatform, SDK
 * 8.2.3): the longest of "a/b", "a" that equals a key or fits an "a/*" or "*\/b" key, else "...".
 */
export function matchPlatform<T>(platforms: Record<string, T>, platform: string): T | undefined {
  const parts = platform.split("/");
  while (parts.length > 0) {
    const partial = parts.join("/");
    for (const name of Object.keys(platforms)) {
      if (name.endsWith("/*") && partial.startsWith(name.slice(0, -1))) return platforms[name];
      if (name.startsWith("*/") && partial.endsWith(name.slice(1))) return platforms[name];
      if (name === partial) return platforms[name];
    }
    parts.length -= 1;
  }
  return platforms["..."];
}

/** Deep merge with mcconfig's rule (mergeProperties): objects merge key by key, anything else replaces. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown> | undefined): void {
  if (!source) return;
  for (const [name, value] of Object.entries(source)) {
    const current = target[name];
    if (isRecord(current) && isRecord(value)) {
      const copy = { ...current };
      mergeInto(copy, value);
      target[name] = copy;
    } else {
      target[name] = isRecord(value) ? structuredCopy(value) : value;
    }
  }
}

function structuredCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  mergeInto(out, value);
  return out;
}

/**
 * The config the firmware sees for one build: mcconfig merges included manifests first (our
 * pinout.json), then the including one (the root manifest.json), each with its matching platform,
 * then the command line's key=value strings.
 */
export function effectiveConfig(manifests: readonly ManifestLike[], platform: string, commandLine: Record<string, string> = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const manifest of manifests) {
    mergeInto(config, manifest.config);
    const match = manifest.platforms ? matchPlatform(manifest.platforms, platform) : undefined;
    mergeInto(config, match?.config);
  }
  mergeInto(config, commandLine);
  return config;
}

/** A config value that must be a whole number; mcconfig's key=value makes it a decimal string. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

export interface ConfigIssue {
  key: string;
  message: string;
}

const RANGES: Array<[key: keyof BoardConfig, min: number, max: number, why: string]> = [
  ["spi_port", 0, 3, "an ESP-IDF SPI host number"],
  // MAX7219 datasheet, Timing Characteristics: CLK clock period tCP 100 ns minimum, so 10 MHz.
  ["spi_hz", 1, 10_000_000, "at most 10 MHz (MAX7219 datasheet, Timing Characteristics: tCP >= 100 ns)"],
  ["ring_leds", 1, 256, "LEDs per ring"],
  ["rings", 1, 2, "one or two rings (pins ring_a, ring_b)"],
  ["matrix_modules", 1, 8, "modules in the MAX7219 chain"],
  // MAX7219 datasheet, Table 7 "Intensity Register Format": 0x0-0xF.
  ["matrix_intensity", 0, 15, "the MAX7219 intensity register (Table 7: 0-15)"],
  ["brightness_cap", 0, 255, "a channel scale 0-255"],
];

/** Checks types and ranges of the firmware keys; returns the typed config and what is wrong. */
export function parseBoardConfig(raw: Record<string, unknown>): { config: BoardConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const numbers: Record<string, number> = {};
  for (const [key, min, max, why] of RANGES) {
    const value = wholeNumber(raw[key]);
    if (value === undefined) issues.push({ key, message: `config.${key} must be a whole number (${why}), got ${JSON.stringify(raw[key])}` });
    else if (value < min || value > max) issues.push({ key, message: `config.${key} is ${value}, must be ${min}..${max}: ${why}` });
    numbers[key] = value ?? 0;
  }
  const board = typeof raw.board === "string" ? raw.board : "";
  if (board === "") issues.push({ key: "board", message: "config.board must name a board in shipgate.boards" });
  const display = raw.display;
  if (display !== "matrix" && display !== "seg7") issues.push({ key: "display", message: `config.display must be "matrix" or "seg7", got ${JSON.stringify(display)}` });
  const pullup = raw.buttons_pullup;
  if (pullup !== "internal" && pullup !== "external") {
    issues.push({ key: "buttons_pullup", message: `config.buttons_pullup must be "internal" or "external", got ${JSON.stringify(pullup)}` });
  }
  const pins: Partial<Record<PinRole, number>> = {};
  const rawPins = isRecord(raw.pins) ? raw.pins : {};
  if (!isRecord(raw.pins)) issues.push({ key: "pins", message: "config.pins must be an object of role: GPIO number" });
  for (const [role, value] of Object.entries(rawPins)) {
    if (!(PIN_ROLES as readonly string[]).includes(role)) {
      issues.push({ key: `pins.${role}`, message: `config.pins.${role} is not a pin role the firmware knows (${PIN_ROLES.join(", ")})` });
      continue;
    }
    const gpio = wholeNumber(value);
    if (gpio === undefined) issues.push({ key: `pins.${role}`, message: `config.pins.${role} must be a GPIO number, got ${JSON.stringify(value)}` });
    else pins[role as PinRole] = gpio;
  }
  for (const role of PIN_ROLES) {
    if (OPTIONAL_ROLES.includes(role) || rawPins[role] !== undefined) continue;
    issues.push({ key: `pins.${role}`, message: `config.pins.${role} is missing` });
  }
  if ((numbers.rings ?? 0) >= 2 && rawPins.ring_b === undefined) {
    issues.push({ key: "pins.ring_b", message: "config.rings is 2 but config.pins.ring_b is missing" });
  }
  const config: BoardConfig = {
    board,
    pins,
    spi_port: numbers.spi_port ?? 0,
    spi_hz: numbers.spi_hz ?? 0,
    ring_leds: numbers.ring_leds ?? 0,
    rings: numbers.rings ?? 0,
    display: display === "seg7" ? "seg7" : "matrix",
    matrix_modules: numbers.matrix_modules ?? 0,
    matrix_intensity: numbers.matrix_intensity ?? 0,
    brightness_cap: numbers.brightness_cap ?? 0,
    buttons_pullup: pullup === "internal" ? "internal" : "external",
  };
  return { config, issues };
}

/** MAX7219 chips on the bus: one per 8x8 matrix, or one for the 8-digit 7-segment module. */
export function max7219Chips(config: BoardConfig): number {
  return config.display === "seg7" ? 1 : config.matrix_modules;
}
