// A simulated WS2812 ring for the terminal twin and the tests (no Node APIs, so it also runs in XS).
// setPixel stages a colour; update() latches all of them at once, as the LEDs do when the data line
// rests low for the reset time (WS2812B datasheet: RES above 50 us, above 280 us on newer parts).

import type { PixelStrip } from "../../core/ports";

export class SimPixelStrip implements PixelStrip {
  readonly length: number;
  private readonly staged: Uint32Array;
  private readonly lit: Uint32Array;
  private open = true;
  /** How many times update() sent a frame, and how many setPixel calls came in. */
  updates = 0;
  writes = 0;

  constructor(length: number) {
    if (!(Number.isInteger(length) && length > 0)) throw new RangeError(`SimPixelStrip: length must be a positive integer, got ${length}`);
    this.length = length;
    this.staged = new Uint32Array(length);
    this.lit = new Uint32Array(length);
  }

  setPixel(i: number, rgb: number): void {
    if (!this.open) throw new Error("SimPixelStrip.setPixel: the strip is closed");
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(`SimPixelStrip.setPixel: index ${i} is outside 0-${this.length - 1}`);
    }
    if (!(Number.isInteger(rgb) && rgb >= 0 && rgb <= 0xffffff)) {
      throw new RangeError(`SimPixelStrip.setPixel: colour ${rgb} of pixel ${i} is not 0xRRGGBB`);
    }
    this.staged[i] = rgb;
    this.writes++;
  }

  update(): void {
    if (!this.open) throw new Error("SimPixelStrip.update: the strip is closed");
    this.lit.set(this.staged);
    this.updates++;
  }

  /** The colour LED i shows (0xRRGGBB), as of the last update(). */
  pixel(i: number): number {
    return this.lit[i] ?? 0;
  }

  /** All lit colours as an array (for tests and the terminal). */
  pixels(): number[] {
    return Array.from(this.lit);
  }

  /** The bytes the data line would carry for the lit frame: G, R, B per LED (WS2812B datasheet). */
  wireBytes(): Uint8Array {
    const out = new Uint8Array(this.length * 3);
    for (let i = 0; i < this.length; i++) {
      const c = this.lit[i]!;
      out[i * 3] = (c >>> 8) & 0xff;
      out[i * 3 + 1] = (c >>> 16) & 0xff;
      out[i * 3 + 2] = c & 0xff;
    }
    return out;
  }

  close(): void {
    this.open = false;
  }
}
