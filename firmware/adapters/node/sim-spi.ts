// A simulated chain of MAX7219s on an SPI bus, for the terminal twin and the tests (no Node APIs,
// so it also runs in XS). It models the chips rather than trusting the driver: every bit written is
// shifted through a chain of 16-bit shift registers, chip 0 (wired to the MCU) first, and the rising
// edge of LOAD/CS (flush(true)) latches each chip's 16 bits into its registers (MAX7219 datasheet,
// "Serial-Addressing Modes" and Table 1; daisy chain: DOUT of one chip into DIN of the next).
// The registers then decode into what the LEDs show, for a matrix panel or a 7-segment module.

import type { SpiBus } from "../../core/ports";

export interface ChipRegisters {
  digits: number[];
  decode: number;
  intensity: number;
  scanLimit: number;
  /** Shutdown register: 0 shutdown, 1 normal operation (Table 3). Power-up: shutdown. */
  shutdown: number;
  displayTest: number;
}

export interface LatchedPacket {
  chip: number;
  address: number;
  data: number;
}

/** How a panel of 8x8 matrices is wired (the same meaning as Max7219Matrix's options, modelled here on its own). */
export interface PanelWiring {
  chainStartsAt: "left" | "right";
  digitsAreRows: boolean;
  msbLeftOrLsbTop: boolean;
}

export const FC16_WIRING: PanelWiring = Object.freeze({ chainStartsAt: "right", digitsAreRows: true, msbLeftOrLsbTop: true });

export class SimMax7219Chain implements SpiBus {
  readonly chips: number;
  private readonly shift: number[];
  private readonly regs: ChipRegisters[];
  private selected = false;
  private bitsSinceSelect = 0;
  private open = true;
  /** The last `keepLatches` latches, oldest first: what each chip took, in chip order. */
  readonly #kept: LatchedPacket[][] = [];
  /**
   * How many latches to keep for inspection. Bounded because the twin runs for hours at up to 60
   * frames a second; every register change is a latch, and an unbounded record would grow by
   * megabytes an hour. The counters below count every latch.
   */
  readonly keepLatches: number;
  /** Latches since start. */
  latchCount = 0;
  /** Latches where the bits clocked were not one 16-bit packet per chip (a driver bug). */
  misaligned = 0;
  writes = 0;

  constructor(chips: number, keepLatches = 64) {
    if (!(Number.isInteger(keepLatches) && keepLatches >= 0)) throw new RangeError(`SimMax7219Chain: keepLatches must be a whole number >= 0, got ${keepLatches}`);
    this.chips = chips;
    this.keepLatches = keepLatches;
    this.shift = [];
    this.regs = [];
    for (let i = 0; i < chips; i++) {
      this.shift.push(0);
      // Power-up: shutdown, display blanked; other registers are not defined by the datasheet (0 here).
      this.regs.push({ digits: [0, 0, 0, 0, 0, 0, 0, 0], decode: 0, intensity: 0, scanLimit: 0, shutdown: 0, displayTest: 0 });
    }
  }

  write(bytes: Uint8Array): void {
    if (!this.open) throw new Error("SimMax7219Chain.write: the bus is closed");
    this.writes++;
    this.selected = true; // CS goes low with the first write and stays low until flush(true)
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 7; bit >= 0; bit--) this.clock((bytes[i]! >> bit) & 1); // MSB first
    }
  }

  flush(deselect: boolean): void {
    if (!deselect || !this.selected) return;
    // LOAD/CS rises: every chip latches the 16 bits in its shift register.
    if (this.bitsSinceSelect !== this.chips * 16) this.misaligned++;
    const packets: LatchedPacket[] = [];
    for (let chip = 0; chip < this.chips; chip++) {
      const word = this.shift[chip]!;
      const address = (word >> 8) & 0x0f; // D11-D8; D15-D12 are don't-care
      const data = word & 0xff;
      packets.push({ chip, address, data });
      this.apply(this.regs[chip]!, address, data);
    }
    this.latchCount++;
    if (this.keepLatches > 0) {
      if (this.#kept.length >= this.keepLatches) this.#kept.shift();
      this.#kept.push(packets);
    }
    this.selected = false;
    this.bitsSinceSelect = 0;
  }

  close(): void {
    this.open = false;
  }

  /** The kept latches (at most keepLatches, the latest), oldest first. */
  get latches(): readonly (readonly LatchedPacket[])[] {
    return this.#kept;
  }

  registers(chip: number): ChipRegisters {
    const r = this.regs[chip];
    if (r === undefined) throw new RangeError(`SimMax7219Chain.registers: no chip ${chip} in a chain of ${this.chips}`);
    return { ...r, digits: r.digits.slice() };
  }

  /**
   * What digit d of a chip lights, as segment/row bits: blank in shutdown or beyond the scan limit,
   * all on in display test, code-B decoded where the decode register says so (Tables 4, 5).
   */
  shownDigit(chip: number, d: number): number {
    const r = this.regs[chip]!;
    if (r.displayTest === 1) return 0xff;
    if (r.shutdown === 0 || d > r.scanLimit) return 0;
    const raw = r.digits[d]!;
    if (((r.decode >> d) & 1) === 0) return raw;
    return (raw & 0x80) | (CODE_B_SEGMENTS[raw & 0x0f] ?? 0);
  }

  /** The panel's pixels as 8 strings, '#' lit, '.' dark, column 0 at the left. */
  matrixImage(wiring: PanelWiring = FC16_WIRING): string[] {
    const width = this.chips * 8;
    const rows: string[] = [];
    for (let y = 0; y < 8; y++) {
      let row = "";
      for (let x = 0; x < width; x++) row += this.matrixPixel(x, y, wiring) ? "#" : ".";
      rows.push(row);
    }
    return rows;
  }

  matrixPixel(x: number, y: number, wiring: PanelWiring = FC16_WIRING): boolean {
    const module = Math.floor(x / 8);
    const chip = wiring.chainStartsAt === "right" ? this.chips - 1 - module : module;
    const mx = x % 8;
    if (wiring.digitsAreRows) {
      const bits = this.shownDigit(chip, y);
      const bit = wiring.msbLeftOrLsbTop ? 7 - mx : mx;
      return ((bits >> bit) & 1) === 1;
    }
    const bits = this.shownDigit(chip, mx);
    const bit = wiring.msbLeftOrLsbTop ? y : 7 - y;
    return ((bits >> bit) & 1) === 1;
  }

  /** A 7-segment module (chip 0): the segment bits of each digit, leftmost (Digit 7) first. */
  seg7Segments(): number[] {
    const out: number[] = [];
    for (let d = 7; d >= 0; d--) out.push(this.shownDigit(0, d));
    return out;
  }

  /** The 7-segment module read back as text, through a table of what the segment patterns look like. */
  seg7Text(): string {
    let s = "";
    for (const segs of this.seg7Segments()) {
      const ch = LOOKS_LIKE[segs & 0x7f];
      s += ch === undefined ? "?" : ch;
      if (segs & 0x80) s += ".";
    }
    return s;
  }

  private clock(bit: number): void {
    let carry = bit;
    for (let chip = 0; chip < this.chips; chip++) {
      const out = (this.shift[chip]! >> 15) & 1;
      this.shift[chip] = ((this.shift[chip]! << 1) | carry) & 0xffff;
      carry = out;
    }
    this.bitsSinceSelect++;
  }

  private apply(r: ChipRegisters, address: number, data: number): void {
    // Register address map, Table 2.
    if (address >= 0x01 && address <= 0x08) r.digits[address - 1] = data;
    else if (address === 0x09) r.decode = data;
    else if (address === 0x0a) r.intensity = data & 0x0f;
    else if (address === 0x0b) r.scanLimit = data & 0x07;
    else if (address === 0x0c) r.shutdown = data & 0x01;
    else if (address === 0x0f) r.displayTest = data & 0x01;
    // 0x00 is No-Op; 0x0D and 0x0E are not registers.
  }
}

// Segment bits: DP A B C D E F G = D7..D0 (Table 6).
const A = 0x40,
  B = 0x20,
  C = 0x10,
  D = 0x08,
  E = 0x04,
  F = 0x02,
  G = 0x01;

/** Code B font, Table 5: 0-9, '-', E, H, L, P, blank. */
const CODE_B_SEGMENTS: readonly number[] = [
  A | B | C | D | E | F,
  B | C,
  A | B | D | E | G,
  A | B | C | D | G,
  B | C | F | G,
  A | C | D | F | G,
  A | C | D | E | F | G,
  A | B | C,
  A | B | C | D | E | F | G,
  A | B | C | D | F | G,
  G,
  A | D | E | F | G,
  B | C | E | F | G,
  D | E | F,
  A | B | E | F | G,
  0,
];

/** How a human reads segment patterns (the unambiguous ones), for seg7Text. */
const LOOKS_LIKE: { [segs: number]: string } = {
  0: " ",
  [A | B | C | D | E | F]: "0",
  [B | C]: "1",
  [A | B | D | E | G]: "2",
  [A | B | C | D | G]: "3",
  [B | C | F | G]: "4",
  [A | C | D | F | G]: "5",
  [A | C | D | E | F | G]: "6",
  [A | B | C]: "7",
  [A | B | C | D | E | F | G]: "8",
  [A | B | C | D | F | G]: "9",
  [G]: "-",
  [A | B | C | E | F | G]: "A",
  [C | D | E | F | G]: "b",
  [A | D | E | F]: "C",
  [D | E | G]: "c",
  [B | C | D | E | G]: "d",
  [A | D | E | F | G]: "E",
  [A | E | F | G]: "F",
  [B | C | E | F | G]: "H",
  [C | E | F | G]: "h",
  [D | E | F]: "L",
  [C | E | G]: "n",
  [C | D | E | G]: "o",
  [A | B | E | F | G]: "P",
  [E | G]: "r",
  [D | E | F | G]: "t",
  [B | C | D | E | F]: "U",
  [C | D | E]: "u",
  [D]: "_",
};
