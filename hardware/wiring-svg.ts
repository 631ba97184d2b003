// Draws a board's wiring as SVG from the same connection list the README tables use. The output
// is a pure function of pinout.json, so a test can regenerate it and compare with the committed
// file: the drawing cannot drift from the pins.

import type { BoardConfig, BoardFacts, PartsFacts, PinRole } from "./pinout";
import { AHCT125_GND_PIN, AHCT125_VCC_PIN, bufferChannels, connections, powerWires, type Connection, type WireKind } from "./wiring";

const COLOURS: Record<WireKind, string> = {
  button: "#1f6feb",
  led: "#8250df",
  ring: "#1a7f37",
  spi: "#bc4c00",
  power: "#cf222e",
  ground: "#57606a",
};

const WIDTH = 1180;
const PITCH = 26;
const BOARD_X = 470;
const BOARD_W = 240;
const HEADER_TOP = 170;
const BOX_W = 340;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function text(x: number, y: number, body: string, attrs = ""): string {
  return `<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ""}>${esc(body)}</text>`;
}

function pinLabel(pin: number | string): string {
  return typeof pin === "number" ? `IO${pin}` : pin;
}

/** The short form of a connection for the drawing; the README table has the long form. */
function shortPath(c: Connection, config: BoardConfig, parts: PartsFacts): string {
  const channel = bufferChannels(config).find((ch) => ch.role === c.role);
  const via = channel ? `via ${channel.chip} (${channel.a}→${channel.y})` : "";
  switch (c.kind) {
    case "ring":
      return `${via} + ${parts.ringResistorOhm} Ω → ${c.to}`;
    case "spi":
      return `${via} → ${c.to}`;
    case "button":
      return config.buttons_pullup === "external" ? `→ button → GND; ${parts.pullupOhm / 1000} kΩ to 3V3` : "→ button → GND";
    case "led":
      return `→ ${c.through} → LED + ; LED − → GND`;
    default:
      return c.to;
  }
}

interface PinMark {
  kind: WireKind;
  title: string;
  detail: string;
}

function powerMarks(config: BoardConfig, parts: PartsFacts): Map<string, PinMark> {
  const marks = new Map<string, PinMark>();
  marks.set("5V", { kind: "power", title: "5V", detail: "← 1N5819 cathode ← 5 V rail" });
  marks.set("GND", { kind: "ground", title: "GND", detail: "→ GND rail (supply −)" });
  if (config.buttons_pullup === "external") {
    marks.set("3V3", { kind: "power", title: "3V3", detail: `→ ${parts.pullupOhm / 1000} kΩ pull-ups of the buttons` });
  }
  return marks;
}

function headerColumn(
  out: string[],
  pins: Array<number | string>,
  side: "left" | "right",
  name: string,
  byGpio: Map<number, Connection>,
  marks: Map<string, PinMark>,
  config: BoardConfig,
  parts: PartsFacts,
): void {
  const pinX = side === "left" ? BOARD_X + 16 : BOARD_X + BOARD_W - 16;
  const edgeX = side === "left" ? BOARD_X : BOARD_X + BOARD_W;
  const boxX = side === "left" ? 10 : WIDTH - 10 - BOX_W;
  const boxEdge = side === "left" ? boxX + BOX_W : boxX;
  const labelX = side === "left" ? pinX + 12 : pinX - 12;
  const anchor = side === "left" ? "start" : "end";
  out.push(text(pinX, HEADER_TOP - 16, name, `text-anchor="middle" font-weight="bold"`));
  const used = new Set<string>();
  pins.forEach((pin, i) => {
    const y = HEADER_TOP + i * PITCH;
    const connection = typeof pin === "number" ? byGpio.get(pin) : undefined;
    let mark: PinMark | undefined;
    if (connection) {
      mark = { kind: connection.kind, title: `IO${pin} ${connection.signal}`, detail: shortPath(connection, config, parts) };
    } else if (typeof pin === "string" && !used.has(pin)) {
      mark = marks.get(pin);
      if (mark) used.add(pin);
    }
    const fill = mark ? COLOURS[mark.kind] : "#ffffff";
    out.push(`<circle cx="${pinX}" cy="${y}" r="6" fill="${fill}" stroke="#24292f"/>`);
    out.push(text(labelX, y + 4, pinLabel(pin), `text-anchor="${anchor}" font-size="11"`));
    if (!mark) return;
    const colour = COLOURS[mark.kind];
    out.push(`<line x1="${pinX}" y1="${y}" x2="${edgeX}" y2="${y}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<line x1="${edgeX}" y1="${y}" x2="${boxEdge}" y2="${y}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<rect x="${boxX}" y="${y - 11}" width="${BOX_W}" height="22" rx="3" fill="#f6f8fa" stroke="${colour}"/>`);
    out.push(text(boxX + 6, y - 1, mark.title, `font-size="10" font-weight="bold" fill="${colour}"`));
    out.push(text(boxX + 6, y + 9, mark.detail, 'font-size="9.5"'));
  });
}

function chipDrawing(out: string[], x: number, y: number, chip: string, nets: Map<number, string>): void {
  const pitch = 22;
  const w = 110;
  const h = 7 * pitch + 10;
  out.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#ffffff" stroke="#24292f" stroke-width="1.5"/>`);
  out.push(text(x + w / 2, y + h / 2 - 6, chip, 'text-anchor="middle" font-weight="bold"'));
  out.push(text(x + w / 2, y + h / 2 + 10, "74AHCT125", 'text-anchor="middle" font-size="11"'));
  out.push(`<path d="M ${x + w / 2 - 10} ${y} a 10 10 0 0 0 20 0" fill="none" stroke="#24292f"/>`);
  for (let i = 0; i < 7; i += 1) {
    const py = y + 16 + i * pitch;
    const left = i + 1;
    const right = 14 - i;
    out.push(`<line x1="${x - 12}" y1="${py}" x2="${x}" y2="${py}" stroke="#24292f"/>`);
    out.push(`<line x1="${x + w}" y1="${py}" x2="${x + w + 12}" y2="${py}" stroke="#24292f"/>`);
    out.push(text(x + 4, py + 4, String(left), 'font-size="10"'));
    out.push(text(x + w - 4, py + 4, String(right), 'font-size="10" text-anchor="end"'));
    out.push(text(x - 16, py + 4, nets.get(left) ?? "", 'font-size="10" text-anchor="end"'));
    out.push(text(x + w + 16, py + 4, nets.get(right) ?? "", 'font-size="10"'));
  }
}

function chipNets(config: BoardConfig, parts: PartsFacts, chip: string): Map<number, string> {
  const nets = new Map<number, string>();
  const describe = (role: PinRole): string => {
    switch (role) {
      case "ring_a":
        return `Ring A DIN (via ${parts.ringResistorOhm} Ω)`;
      case "ring_b":
        return `Ring B DIN (via ${parts.ringResistorOhm} Ω)`;
      case "spi_clock":
        return "MAX7219 CLK";
      case "spi_mosi":
        return "MAX7219 DIN";
      default:
        return "MAX7219 CS (LOAD)";
    }
  };
  for (const channel of bufferChannels(config)) {
    if (channel.chip !== chip) continue;
    const n = channel.channel;
    nets.set(channel.oe, `${n}OE: GND`);
    if (channel.role !== undefined) {
      const gpio = config.pins[channel.role];
      nets.set(channel.a, `${n}A ← IO${gpio} (${channel.role})`);
      nets.set(channel.y, `${n}Y → ${describe(channel.role)}`);
    } else {
      nets.set(channel.a, `${n}A: GND (unused)`);
      nets.set(channel.y, `${n}Y: not connected`);
    }
  }
  nets.set(AHCT125_GND_PIN, "GND");
  nets.set(AHCT125_VCC_PIN, "+5 V, 100 nF to GND");
  return nets;
}

/** The wiring drawing of one board build. */
export function wiringSvg(config: BoardConfig, board: BoardFacts, parts: PartsFacts): string {
  const out: string[] = [];
  const list = connections(config, board, parts);
  const byGpio = new Map<number, Connection>();
  for (const c of list) byGpio.set(c.gpio, c);
  const marks = powerMarks(config, parts);
  const rows = Math.max(...board.headers.map((h) => h.pins.length));
  const boardTop = HEADER_TOP - 62;
  const boardH = rows * PITCH + 72;

  out.push(`<rect x="${BOARD_X}" y="${boardTop}" width="${BOARD_W}" height="${boardH}" rx="8" fill="#e7f0e9" stroke="#24292f" stroke-width="2"/>`);
  out.push(text(BOARD_X + BOARD_W / 2, boardTop + 18, board.name.split(" (")[0] ?? board.name, 'text-anchor="middle" font-weight="bold" font-size="13"'));
  out.push(text(BOARD_X + BOARD_W / 2, boardTop + 32, "antenna end", 'text-anchor="middle" font-size="10"'));
  out.push(text(BOARD_X + BOARD_W / 2, boardTop + boardH - 8, "USB end", 'text-anchor="middle" font-size="10"'));
  for (const header of board.headers) headerColumn(out, header.pins, header.side, header.name, byGpio, marks, config, parts);

  let y = boardTop + boardH + 40;
  out.push(text(10, y, "Level shifters: 3.3 V GPIO in (A), 5 V out (Y); pin 1 at the notch", 'font-weight="bold"'));
  y += 24;
  const chips = [...new Set(bufferChannels(config).map((c) => c.chip))];
  chips.forEach((chip, i) => {
    chipDrawing(out, i % 2 === 0 ? 240 : 820, y + Math.floor(i / 2) * 200, chip, chipNets(config, parts, chip));
  });
  y += Math.ceil(chips.length / 2) * 200 + 10;

  out.push(text(10, y, "Power and ground", 'font-weight="bold"'));
  y += 8;
  for (const wire of powerWires(config, board, parts)) {
    y += 20;
    out.push(`<line x1="14" y1="${y - 4}" x2="34" y2="${y - 4}" stroke="${COLOURS[wire.kind]}" stroke-width="3"/>`);
    out.push(text(42, y, `${wire.from}: ${wire.to}`, 'font-size="11"'));
  }
  y += 34;
  const legend: Array<[WireKind, string]> = [
    ["button", "button"],
    ["led", "button LED"],
    ["ring", "ring data (5 V)"],
    ["spi", "MAX7219 SPI (5 V)"],
    ["power", "power"],
    ["ground", "ground"],
  ];
  legend.forEach(([kind, label], i) => {
    const x = 14 + i * 180;
    out.push(`<circle cx="${x + 6}" cy="${y - 4}" r="6" fill="${COLOURS[kind]}"/>`);
    out.push(text(x + 18, y, label, 'font-size="11"'));
  });
  const height = y + 20;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#24292f">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(10, 28, `shipgate gadget wiring: ${board.name}`, 'font-size="18" font-weight="bold"'),
    text(10, 48, `Generated from hardware/pinout.json (platform ${board.platform}) by hardware/generate.ts; do not edit by hand.`, 'font-size="11"'),
    text(
      10,
      64,
      `Display "${config.display}": ${config.display === "seg7" ? "one 8-digit 7-segment MAX7219 module" : `${config.matrix_modules} MAX7219 8x8 modules in a chain`}; the other display variant uses the same wires.`,
      'font-size="11"',
    ),
    ...out,
    "</svg>",
    "",
  ].join("\n");
}
