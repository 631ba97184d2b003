// Drawing the twin's hardware in a terminal: each ring as a circle of ● glyphs in 24-bit colour
// (ANSI "38;2;r;g;b" SGR, ECMA-48 / ITU T.416), the MAX7219 matrix as a grid of dots, and a few
// status lines. renderFrame is a pure function of what the simulated parts show, so tests can read
// a frame without a TTY.

export interface MatrixImage {
  width: number;
  height: number;
  lit(x: number, y: number): boolean;
}

export interface TerminalFrame {
  title: string;
  /** Ring colours as 0xRRGGBB, as the LEDs show them. */
  ringA: readonly number[];
  ringB: readonly number[];
  /** The rings' brightness cap (0-255): colours are scaled back up by it for the screen. */
  brightnessCap: number;
  /** The dot matrix, or null for a seven-segment display (then seg7 holds its digits). */
  matrix: MatrixImage | null;
  /** Segment bits per digit, leftmost first: DP A B C D E F G in bits 7 to 0 (MAX7219 Table 6). */
  seg7?: readonly number[];
  /** The buttons, each with its key and whether its LED is lit (0xRRGGBB when lit). */
  buttons?: readonly ButtonLamp[];
  /** Said after the buttons (the keys that are not buttons). */
  buttonsHelp?: string;
  status: readonly string[];
}

export interface ButtonLamp {
  key: string;
  name: string;
  lit: boolean;
  rgb: number;
}

const RESET = "\x1b[0m";
const DIM_LED = 0x202020;
const MATRIX_ON = 0xff3018;
const MATRIX_OFF = 0x3a0d08;

function fg(rgb: number): string {
  return `\x1b[38;2;${(rgb >>> 16) & 255};${(rgb >>> 8) & 255};${rgb & 255}m`;
}

/**
 * LEDs run dim (the cap) and through a gamma curve, so what they send looks far darker on a screen
 * than in the room: undo both for display (gamma 2.2, as the ring animator's output table uses).
 */
export function screenColor(rgb: number, cap: number): number {
  if (rgb === 0) return DIM_LED;
  const top = cap > 0 ? cap : 255;
  let out = 0;
  for (const shift of [16, 8, 0]) {
    const c = (rgb >>> shift) & 255;
    const v = Math.round(255 * Math.min(1, c / top) ** (1 / 2.2));
    out |= v << shift;
  }
  return out;
}

/** Lines that draw one ring: LED 0 at the top, clockwise, like the ring on the desk. */
export function ringLines(colors: readonly number[], cap: number, colour: boolean): string[] {
  const n = colors.length;
  const r = Math.max(3, Math.round(n / 4));
  const rows = 2 * r + 1;
  const cols = 4 * r + 1;
  const grid: string[][] = [];
  for (let y = 0; y < rows; y++) grid.push(new Array<string>(cols).fill(" "));
  for (let i = 0; i < n; i++) {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    // Terminal cells are about twice as tall as wide, so x spans twice the rows.
    const x = r * 2 + Math.round(2 * r * Math.cos(angle));
    const y = r + Math.round(r * Math.sin(angle));
    const c = colors[i] ?? 0;
    grid[y]![x] = colour ? fg(screenColor(c, cap)) + "●" + RESET : c === 0 ? "○" : "●";
  }
  return grid.map((row) => row.join(""));
}

export function matrixLines(image: MatrixImage, colour: boolean): string[] {
  const lines: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let line = "";
    for (let x = 0; x < image.width; x++) {
      const on = image.lit(x, y);
      line += colour ? fg(on ? MATRIX_ON : MATRIX_OFF) + (on ? "●" : "·") + " " : (on ? "#" : ".") + " ";
    }
    lines.push(colour ? line + RESET : line);
  }
  return lines;
}

/** Seven-segment digits drawn in three rows of box strokes. */
export function seg7Lines(digits: readonly number[], colour: boolean): string[] {
  const rows = ["", "", ""];
  const on = colour ? fg(MATRIX_ON) : "";
  const off = colour ? fg(MATRIX_OFF) : "";
  const seg = (bits: number, bit: number, ch: string): string => (((bits >> bit) & 1) === 1 ? on + ch : colour ? off + ch : " ");
  for (const bits of digits) {
    // Bits (MAX7219 no-decode mode): 7 DP, 6 A, 5 B, 4 C, 3 D, 2 E, 1 F, 0 G.
    rows[0] += " " + seg(bits, 6, "_") + " " + " ";
    rows[1] += seg(bits, 1, "|") + seg(bits, 0, "_") + seg(bits, 5, "|") + " ";
    rows[2] += seg(bits, 2, "|") + seg(bits, 3, "_") + seg(bits, 4, "|") + seg(bits, 7, ".");
  }
  return rows.map((r) => (colour ? r + RESET : r));
}

/** The whole screen, each line cleared to its end so a shorter frame leaves no leftovers. */
export function renderFrame(f: TerminalFrame, colour = true): string {
  const a = ringLines(f.ringA, f.brightnessCap, colour);
  const b = ringLines(f.ringB, f.brightnessCap, colour);
  const width = visibleLength(a[0] ?? "");
  const lines: string[] = [f.title, "", "  ring A" + " ".repeat(Math.max(1, width - 2)) + "    ring B"];
  for (let i = 0; i < Math.max(a.length, b.length); i++) lines.push("  " + (a[i] ?? "") + "      " + (b[i] ?? ""));
  lines.push("");
  if (f.matrix !== null) for (const l of matrixLines(f.matrix, colour)) lines.push("  " + l);
  else for (const l of seg7Lines(f.seg7 ?? [], colour)) lines.push("  " + l);
  lines.push("");
  if (f.buttons !== undefined && f.buttons.length > 0) {
    lines.push("  " + f.buttons.map((b) => buttonLamp(b, colour)).join("  ") + (f.buttonsHelp ? "  " + f.buttonsHelp : ""));
  }
  for (const s of f.status) lines.push(s);
  return lines.map((l) => l + "\x1b[K").join("\r\n");
}

/** One button: its LED as a dot (lit in its colour, or dark), its key and its name. */
export function buttonLamp(b: ButtonLamp, colour: boolean): string {
  const dot = colour ? fg(b.lit ? b.rgb : DIM_LED) + (b.lit ? "◉" : "○") + RESET : b.lit ? "◉" : "○";
  return `${dot} [${b.key}] ${b.name}`;
}

/** Characters that take a cell, ignoring SGR sequences. */
export function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}
