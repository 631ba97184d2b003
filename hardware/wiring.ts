// Who connects to whom, derived from a board's config: the one source for the README's wiring
// tables and for the SVG drawing, so neither can disagree with pinout.json.

import { BUTTON_ROLES, type BoardConfig, type BoardFacts, type ButtonRole, type PartsFacts, type PinRole } from "./pinout";

export type WireKind = "button" | "led" | "ring" | "spi" | "power" | "ground";

/** One GPIO's wire: from the board's pin, through whatever sits between, to the part. */
export interface Connection {
  role: PinRole;
  gpio: number;
  kind: WireKind;
  /** Header and position, e.g. "J2-7" (position 1 is at the antenna end). */
  header: string;
  /** What the signal is, e.g. "Approve button". */
  signal: string;
  /** Parts between the pin and the destination, or "direct". */
  through: string;
  /** Where the wire ends. */
  to: string;
}

/** One buffer of a 74AHCT125 (TI SN74AHCT125 datasheet, "Pin Configuration": DIP/SOIC-14). */
export interface BufferChannel {
  chip: string;
  channel: 1 | 2 | 3 | 4;
  /** Package pins of the output enable (active low), input and output. */
  oe: number;
  a: number;
  y: number;
  /** The signal it carries, or undefined when unused (input and enable tied to GND). */
  role?: PinRole;
}

const CHANNEL_PINS: ReadonlyArray<{ channel: 1 | 2 | 3 | 4; oe: number; a: number; y: number }> = [
  { channel: 1, oe: 1, a: 2, y: 3 },
  { channel: 2, oe: 4, a: 5, y: 6 },
  { channel: 3, oe: 10, a: 9, y: 8 },
  { channel: 4, oe: 13, a: 12, y: 11 },
];
export const AHCT125_VCC_PIN = 14;
export const AHCT125_GND_PIN = 7;

const TITLE: Record<ButtonRole, string> = { approve: "Approve", reject: "Reject", release: "Release", sync: "Sync" };

/**
 * The 5 V data lines, in the order they take buffer channels: the rings' DIN (a WS2812 needs a
 * high of 0.7 x VDD = 3.5 V, WS2812B datasheet "Electrical Characteristics" VIH) and the
 * MAX7219's CLK, DIN and LOAD (VIH 3.5 V at V+ = 5 V, MAX7219 datasheet "DC Electrical
 * Characteristics"). A 3.3 V ESP32 output is below both.
 */
export function shiftedRoles(config: BoardConfig): PinRole[] {
  const roles: PinRole[] = ["ring_a"];
  if (config.rings >= 2 && config.pins.ring_b !== undefined) roles.push("ring_b");
  roles.push("spi_clock", "spi_mosi", "spi_select");
  return roles.filter((role) => config.pins[role] !== undefined);
}

/** Buffer channels of as many 74AHCT125 packages (U1, U2, ...) as the 5 V lines need. */
export function bufferChannels(config: BoardConfig): BufferChannel[] {
  const roles = shiftedRoles(config);
  const chips = Math.ceil(roles.length / 4);
  const out: BufferChannel[] = [];
  for (let c = 0; c < chips; c += 1) {
    for (const pins of CHANNEL_PINS) {
      const role = roles[c * 4 + pins.channel - 1];
      const channel: BufferChannel = { chip: `U${c + 1}`, ...pins };
      if (role !== undefined) channel.role = role;
      out.push(channel);
    }
  }
  return out;
}

/** "J2-7" for a GPIO or label on the board's headers; the first match for repeated labels. */
export function headerPosition(board: BoardFacts, pin: number | string): string {
  for (const header of board.headers) {
    const index = header.pins.indexOf(pin);
    if (index >= 0) return `${header.name}-${index + 1}`;
  }
  return "not on a header";
}

function destination(role: PinRole, config: BoardConfig): { kind: WireKind; signal: string; to: string } {
  const display = config.display === "seg7" ? "MAX7219 7-segment module" : "MAX7219 chain (first module)";
  switch (role) {
    case "ring_a":
      return { kind: "ring", signal: "Ring A data", to: "Ring A DIN" };
    case "ring_b":
      return { kind: "ring", signal: "Ring B data", to: "Ring B DIN" };
    case "spi_clock":
      return { kind: "spi", signal: "SPI clock", to: `${display} CLK` };
    case "spi_mosi":
      return { kind: "spi", signal: "SPI data", to: `${display} DIN` };
    case "spi_select":
      return { kind: "spi", signal: "SPI chip select", to: `${display} CS (LOAD)` };
    default: {
      if (role.startsWith("led_")) {
        const button = role.slice(4) as ButtonRole;
        return { kind: "led", signal: `${TITLE[button]} button LED`, to: `${TITLE[button]} button LED + (LED - to GND)` };
      }
      const button = role as ButtonRole;
      return { kind: "button", signal: `${TITLE[button]} button`, to: `${TITLE[button]} button (other contact to GND)` };
    }
  }
}

/** Every GPIO wire of a build, in the order of the pins object. */
export function connections(config: BoardConfig, board: BoardFacts, parts: PartsFacts): Connection[] {
  const channels = bufferChannels(config);
  const out: Connection[] = [];
  for (const [role, gpio] of Object.entries(config.pins) as Array<[PinRole, number]>) {
    const { kind, signal, to } = destination(role, config);
    let through = "direct";
    const channel = channels.find((c) => c.role === role);
    if (channel) {
      through = `${channel.chip} pin ${channel.a} (${channel.channel}A) to pin ${channel.y} (${channel.channel}Y)`;
      if (kind === "ring") through += `, then ${parts.ringResistorOhm} Ω at the ring`;
    } else if (kind === "led") {
      const button = role.slice(4) as ButtonRole;
      const led = parts.buttonLeds[button];
      through = led ? `${led.resistorOhm} Ω (${led.colour} LED)` : "series resistor";
    } else if (kind === "button" && config.buttons_pullup === "external") {
      through = `${parts.pullupOhm / 1000} kΩ pull-up from this pin to 3V3`;
    }
    out.push({ role, gpio, kind, header: headerPosition(board, gpio), signal, through, to });
  }
  return out;
}

/** Power and ground wires, as sentences for the README and labels for the drawing. */
export function powerWires(config: BoardConfig, board: BoardFacts, parts: PartsFacts): Array<{ from: string; to: string; kind: WireKind }> {
  const chips = Math.ceil(shiftedRoles(config).length / 4);
  const shifters = chips === 1 ? "U1" : `U1-U${chips}`;
  const rings = config.rings >= 2 ? "Ring A and Ring B" : "Ring A";
  const wires: Array<{ from: string; to: string; kind: WireKind }> = [
    { from: `${parts.supply.volts} V supply +`, to: `5 V rail: ${rings} 5V, MAX7219 VCC, ${shifters} pin ${AHCT125_VCC_PIN}, 1N5819 anode`, kind: "power" },
    { from: `1N5819 cathode (band)`, to: `board 5V pin ${headerPosition(board, "5V")}`, kind: "power" },
    {
      from: `${parts.supply.volts} V supply -`,
      to: `GND rail: board GND ${headerPosition(board, "GND")}, ${rings} GND, MAX7219 GND, ${shifters} pin ${AHCT125_GND_PIN}, buttons, button LEDs`,
      kind: "ground",
    },
    { from: `${parts.ringCapacitorUf} µF capacitor`, to: `across 5V and GND at each ring's input (- lead to GND)`, kind: "power" },
    { from: `100 nF capacitor`, to: `${shifters} pin ${AHCT125_VCC_PIN} to pin ${AHCT125_GND_PIN}, close to each chip`, kind: "power" },
    { from: `${shifters} output enables`, to: "every OE pin (1, 4, 10, 13) to GND; unused A inputs to GND", kind: "ground" },
  ];
  if (config.buttons_pullup === "external") {
    wires.push({ from: `board 3V3 ${headerPosition(board, "3V3")}`, to: `${BUTTON_ROLES.length} x ${parts.pullupOhm / 1000} kΩ pull-ups, one to each button pin`, kind: "power" });
  }
  return wires;
}
