// MAX7219 LED driver over the SpiBus port: a chain of 8x8 matrices, or one 8-digit 7-segment module.
//
// Facts from the MAX7219/MAX7221 datasheet (Maxim, 19-4452):
// - Serial interface: 16-bit packets, MSB first, sampled on CLK's rising edge; D15-D12 are don't-care,
//   D11-D8 the register address, D7-D0 the data. The packet is latched on LOAD's (CS's) rising edge,
//   so CS must stay low for the whole chain's packets and rise once. Up to 10 MHz.
// - Daisy chain: DOUT of one chip feeds DIN of the next, and data appears on DOUT 16.5 clocks later,
//   so the first packet shifted ends in the LAST chip of the chain; the last packet stays in the first.
// - Register address map (Table 2): No-Op 0x00, Digit 0-7 0x01-0x08, Decode Mode 0x09, Intensity 0x0A,
//   Scan Limit 0x0B, Shutdown 0x0C, Display Test 0x0F.
// - Shutdown (Table 3): 0 shutdown, 1 normal. At power-up the chip is in shutdown with the display
//   blanked and the other registers undefined, so init writes every control register.
// - Decode mode (Table 4): 0x00 no decode, 0xFF code B on all digits. Intensity (Table 7): 0x0-0xF,
//   duty 1/32 to 31/32. Scan limit (Table 8): digits 0..n shown; 7 shows all eight (the segment
//   current limit via RSET assumes all eight). Display test (Table 10): 0 normal, 1 all LEDs on.
//
// Each refresh writes one SPI transfer per changed digit register, covering the whole chain, then
// flush(true) (shared/docs/moddable.md: select stays asserted until flush(true)).

import type { SpiBus } from "./ports";
import { encodeAscii } from "./font8x8";
import { codesWidth, drawCodes, MatrixCanvas } from "./matrix";
import { drawSeg7Codes, seg7CodesWidth } from "./seg7";

export const REG = Object.freeze({
  NOOP: 0x00,
  DIGIT0: 0x01, // DIGIT0 + d for digit d, 0-7
  DECODE_MODE: 0x09,
  INTENSITY: 0x0a,
  SCAN_LIMIT: 0x0b,
  SHUTDOWN: 0x0c,
  DISPLAY_TEST: 0x0f,
});

export const DECODE_NONE = 0x00;
export const DECODE_CODE_B_ALL = 0xff;
export const MAX_INTENSITY = 0x0f;

/** A chain of MAX7219s on one bus: register writes to every chip at once, in one latched transfer. */
export class Max7219Chain {
  readonly modules: number;
  private readonly spi: SpiBus;
  /** One packet per chip; bytes 0-1 go to the LAST chip, the final two bytes to the first. */
  private readonly tx: Uint8Array;

  constructor(spi: SpiBus, modules: number) {
    if (!(Number.isInteger(modules) && modules >= 1 && modules <= 16)) {
      throw new RangeError(`Max7219Chain: modules must be 1-16, got ${modules}`);
    }
    this.spi = spi;
    this.modules = modules;
    this.tx = new Uint8Array(modules * 2);
  }

  /** Writes the same register value to every chip in the chain. */
  writeAll(register: number, data: number): void {
    const tx = this.tx;
    for (let i = 0; i < tx.length; i += 2) {
      tx[i] = register & 0x0f;
      tx[i + 1] = data & 0xff;
    }
    this.send();
  }

  /**
   * Writes one register on every chip, each with its own value: `values[p]` goes to chip p, chip 0
   * being the one wired to the microcontroller.
   */
  writeEach(register: number, values: Uint8Array, offset = 0, stride = 1): void {
    const n = this.modules;
    const tx = this.tx;
    for (let p = 0; p < n; p++) {
      const at = (n - 1 - p) * 2; // the first chip's packet is shifted last
      tx[at] = register & 0x0f;
      tx[at + 1] = values[offset + p * stride]! & 0xff;
    }
    this.send();
  }

  /** Sets up every chip: display test off, scan all 8 digits, the decode mode, intensity, blank, on. */
  init(decode: number, intensity: number): void {
    this.writeAll(REG.DISPLAY_TEST, 0);
    this.writeAll(REG.SCAN_LIMIT, 7);
    this.writeAll(REG.DECODE_MODE, decode);
    this.writeAll(REG.INTENSITY, clampIntensity(intensity));
    this.writeAll(REG.SHUTDOWN, 1);
  }

  setIntensity(level: number): void {
    this.writeAll(REG.INTENSITY, clampIntensity(level));
  }

  shutdown(off: boolean): void {
    this.writeAll(REG.SHUTDOWN, off ? 0 : 1);
  }

  displayTest(on: boolean): void {
    this.writeAll(REG.DISPLAY_TEST, on ? 1 : 0);
  }

  close(): void {
    this.spi.close();
  }

  private send(): void {
    this.spi.write(this.tx);
    this.spi.flush(true);
  }
}

/** For the string conveniences: text is turned into codes here first. */
const SCRATCH = new Uint8Array(256);

function clampIntensity(level: number): number {
  const l = Math.round(level);
  return l < 0 ? 0 : l > MAX_INTENSITY ? MAX_INTENSITY : l;
}

/** What Display needs from a driver. Units are pixel columns (matrix) or digits (7-segment). */
export interface DisplayDriver {
  /** Width of the display in units. */
  readonly columns: number;
  /** A comfortable scroll speed for this kind of display, ms per unit. */
  readonly scrollMsPerUnit: number;
  init(): void;
  setIntensity(level: number): void;
  clear(): void;
  /** Width in units of `length` printable ASCII codes (see font8x8 encodeAscii). */
  codesWidth(codes: Uint8Array, length: number): number;
  /** Draws `length` codes with their first unit at x, only inside [clipFrom, clipTo). Allocates nothing. */
  drawCodes(codes: Uint8Array, length: number, x: number, clipFrom: number, clipTo: number): void;
  /** The same for a string (allocates in XS: for set-up, not for frames). */
  textWidth(text: string): number;
  drawText(text: string, x: number, clipFrom: number, clipTo: number): void;
  /** Sends the digit registers that changed since the last render. */
  render(): void;
  close(): void;
}

export interface MatrixOptions {
  /** Intensity 0-15 (Table 7). */
  intensity?: number;
  /** Which end of the row of matrices the chain starts at (the chip wired to the MCU). FC-16 boards: "right". */
  chainStartsAt?: "left" | "right";
  /** Each digit register drives one row (FC-16 boards), or one column (many single modules). */
  digitsAreRows?: boolean;
  /** Rows mode: D7 is the leftmost column (else D0). Columns mode: D0 is the top row (else D7). */
  msbLeftOrLsbTop?: boolean;
}

/**
 * A row of 8x8 matrices. `canvas` is the picture, column 0 at the left, bit 0 the top row; render()
 * maps it to each chip's digit registers and writes the rows that changed.
 */
export class Max7219Matrix implements DisplayDriver {
  readonly chain: Max7219Chain;
  readonly canvas: MatrixCanvas;
  readonly columns: number;
  readonly scrollMsPerUnit = 35;
  private intensity: number;
  private readonly startsRight: boolean;
  private readonly digitsAreRows: boolean;
  private readonly msbLeftOrLsbTop: boolean;
  /** Register values per chip and digit: [digit * modules + chip]. What is latched, and what to send. */
  private readonly latched: Uint8Array;
  private readonly next: Uint8Array;
  private forced = true;

  constructor(spi: SpiBus, modules: number, options: MatrixOptions = {}) {
    this.chain = new Max7219Chain(spi, modules);
    this.columns = modules * 8;
    this.canvas = new MatrixCanvas(this.columns);
    this.intensity = options.intensity ?? 2;
    this.startsRight = (options.chainStartsAt ?? "right") === "right";
    this.digitsAreRows = options.digitsAreRows ?? true;
    this.msbLeftOrLsbTop = options.msbLeftOrLsbTop ?? true;
    this.latched = new Uint8Array(modules * 8);
    this.next = new Uint8Array(modules * 8);
  }

  init(): void {
    this.chain.init(DECODE_NONE, this.intensity);
    this.canvas.clear();
    this.forced = true;
    this.render();
  }

  setIntensity(level: number): void {
    this.intensity = clampIntensity(level);
    this.chain.setIntensity(this.intensity);
  }

  clear(): void {
    this.canvas.clear();
  }

  codesWidth(codes: Uint8Array, length: number): number {
    return codesWidth(codes, length);
  }

  drawCodes(codes: Uint8Array, length: number, x: number, clipFrom: number, clipTo: number): void {
    drawCodes(this.canvas, codes, length, x, clipFrom, clipTo);
  }

  textWidth(text: string): number {
    return codesWidth(SCRATCH, encodeAscii(text, SCRATCH));
  }

  drawText(text: string, x: number, clipFrom: number, clipTo: number): void {
    drawCodes(this.canvas, SCRATCH, encodeAscii(text, SCRATCH), x, clipFrom, clipTo);
  }

  render(): void {
    const n = this.chain.modules;
    const cols = this.canvas.columns;
    const next = this.next;
    for (let p = 0; p < n; p++) {
      // Chip p shows display module m (0 = leftmost 8 columns).
      const x0 = (this.startsRight ? n - 1 - p : p) * 8;
      for (let d = 0; d < 8; d++) {
        let v = 0;
        if (this.digitsAreRows) {
          // Digit d is row d; bit b lights column (msbLeft ? 7 - b : b).
          for (let b = 0; b < 8; b++) {
            const x = this.msbLeftOrLsbTop ? 7 - b : b;
            if ((cols[x0 + x]! >> d) & 1) v |= 1 << b;
          }
        } else {
          // Digit d is column d; bit b lights row (lsbTop ? b : 7 - b).
          const c = cols[x0 + d]!;
          v = this.msbLeftOrLsbTop ? c : reverseBits(c);
        }
        next[d * n + p] = v;
      }
    }
    for (let d = 0; d < 8; d++) {
      let changed = this.forced;
      for (let p = 0; p < n && !changed; p++) changed = next[d * n + p] !== this.latched[d * n + p];
      if (!changed) continue;
      this.chain.writeEach(REG.DIGIT0 + d, next, d * n, 1);
      for (let p = 0; p < n; p++) this.latched[d * n + p] = next[d * n + p]!;
    }
    this.forced = false;
  }

  close(): void {
    this.chain.close();
  }
}

function reverseBits(v: number): number {
  let r = 0;
  for (let b = 0; b < 8; b++) if (v & (1 << b)) r |= 0x80 >> b;
  return r;
}

export interface Seg7Options {
  /** Intensity 0-15 (Table 7). */
  intensity?: number;
  /** Use the chip's code-B font (digits, '-', E, H, L, P, blank) instead of our segment table. */
  codeB?: boolean;
}

/**
 * One 8-digit 7-segment module. On the common boards DIG0 is the rightmost digit, so the text's
 * leftmost digit goes to register Digit 7.
 */
export class Max7219Seg7 implements DisplayDriver {
  readonly chain: Max7219Chain;
  readonly columns = 8;
  readonly scrollMsPerUnit = 300;
  /** One byte per digit, index 0 the leftmost: segment bits, or code-B values in code-B mode. */
  readonly digits = new Uint8Array(8);
  private readonly latched = new Uint8Array(8);
  private readonly one = new Uint8Array(1);
  private intensity: number;
  private readonly codeB: boolean;
  private forced = true;

  constructor(spi: SpiBus, options: Seg7Options = {}) {
    this.chain = new Max7219Chain(spi, 1);
    this.intensity = options.intensity ?? 4;
    this.codeB = options.codeB ?? false;
  }

  init(): void {
    this.chain.init(this.codeB ? DECODE_CODE_B_ALL : DECODE_NONE, this.intensity);
    this.clear();
    this.forced = true;
    this.render();
  }

  setIntensity(level: number): void {
    this.intensity = clampIntensity(level);
    this.chain.setIntensity(this.intensity);
  }

  clear(): void {
    // Code B 0x0F is blank; 0x00 would show '0'.
    this.digits.fill(this.codeB ? 0x0f : 0);
  }

  codesWidth(codes: Uint8Array, length: number): number {
    return seg7CodesWidth(codes, length);
  }

  drawCodes(codes: Uint8Array, length: number, x: number, clipFrom: number, clipTo: number): void {
    drawSeg7Codes(this.digits, codes, length, x, this.codeB, clipFrom, clipTo);
  }

  textWidth(text: string): number {
    return seg7CodesWidth(SCRATCH, encodeAscii(text, SCRATCH));
  }

  drawText(text: string, x: number, clipFrom: number, clipTo: number): void {
    drawSeg7Codes(this.digits, SCRATCH, encodeAscii(text, SCRATCH), x, this.codeB, clipFrom, clipTo);
  }

  render(): void {
    for (let i = 0; i < 8; i++) {
      const v = this.digits[i]!;
      if (!this.forced && v === this.latched[i]) continue;
      this.one[0] = v;
      this.chain.writeEach(REG.DIGIT0 + (7 - i), this.one);
      this.latched[i] = v;
    }
    this.forced = false;
  }

  close(): void {
    this.chain.close();
  }
}
