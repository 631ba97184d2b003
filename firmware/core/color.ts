// Colour arithmetic for the rings: 24-bit 0xRRGGBB numbers and integer math only, so the per-frame
// path allocates nothing. The PixelStrip port takes 0xRRGGBB; the adapter reorders to the WS2812's
// wire order (G, R, B, each byte MSB first: WS2812B datasheet, "Composition of 24bit data").

export const BLACK = 0x000000;

export function rgb(r: number, g: number, b: number): number {
  return ((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff);
}

export function redOf(c: number): number {
  return (c >>> 16) & 0xff;
}

export function greenOf(c: number): number {
  return (c >>> 8) & 0xff;
}

export function blueOf(c: number): number {
  return c & 0xff;
}

/** Colour c at level/255 of itself (level 0-255), rounded. */
export function scale(c: number, level: number): number {
  if (level >= 255) return c;
  if (level <= 0) return BLACK;
  return ((((redOf(c) * level + 127) / 255) | 0) << 16) | ((((greenOf(c) * level + 127) / 255) | 0) << 8) | (((blueOf(c) * level + 127) / 255) | 0);
}

/** Per channel, the brighter of two colours (how overlays add light without washing out). */
export function lighter(a: number, b: number): number {
  const r = Math.max(redOf(a), redOf(b));
  const g = Math.max(greenOf(a), greenOf(b));
  const bl = Math.max(blueOf(a), blueOf(b));
  return (r << 16) | (g << 8) | bl;
}

/**
 * The output table: scene levels (0-255, perceptually even) to LED duty (0-cap). WS2812 brightness
 * is linear in PWM duty while the eye is roughly logarithmic, so a gamma curve (2.2 by default)
 * makes a pulse look even; the cap bounds every channel's duty, and with it the ring's current
 * (hardware/power.ts ringCurrentMa: current follows duty linearly). Made once, outside any frame.
 */
export function makeOutputTable(cap: number, gamma = 2.2): Uint8Array {
  if (!(cap >= 0 && cap <= 255) || !(gamma > 0)) {
    throw new RangeError(`makeOutputTable: brightnessCap must be 0-255 and gamma > 0, got ${cap} and ${gamma}`);
  }
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const out = Math.round(cap * (v / 255) ** gamma);
    // Keep a lit level lit: a faint tail should not vanish to 0 at low caps.
    table[v] = v > 0 && out === 0 && cap > 0 ? 1 : out;
  }
  return table;
}

/** Runs each channel of c through a 256-entry table. */
export function mapChannels(c: number, table: Uint8Array): number {
  return (table[redOf(c)]! << 16) | (table[greenOf(c)]! << 8) | table[blueOf(c)]!;
}

/** One period of a smooth wave, 0 at index 0, 255 at index 128: (1 - cos) / 2, made once. */
export const WAVE: Uint8Array = (() => {
  const w = new Uint8Array(256);
  for (let i = 0; i < 256; i++) w[i] = Math.round(127.5 - 127.5 * Math.cos((2 * Math.PI * i) / 256));
  return w;
})();
