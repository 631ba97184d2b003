// A pixel canvas for a row of 8x8 LED matrices, and text drawn on it with font8x8. Column-major:
// one byte per column, column 0 at the left, bit 0 the top row. Drawing allocates nothing.

import { encodeAscii, FONT_COLUMNS, FONT_OFFSET, FONT_WIDTH, GLYPH_SPACING, glyphIndex } from "./font8x8";

export class MatrixCanvas {
  readonly columns: Uint8Array;

  constructor(readonly width: number) {
    if (!(Number.isInteger(width) && width > 0)) throw new RangeError(`MatrixCanvas: width must be a positive integer, got ${width}`);
    this.columns = new Uint8Array(width);
  }

  clear(): void {
    this.columns.fill(0);
  }

  /** Lights (or darkens) one pixel; outside the canvas nothing happens. */
  setPixel(x: number, y: number, on: boolean): void {
    if (x < 0 || x >= this.width || y < 0 || y > 7) return;
    if (on) this.columns[x]! |= 1 << y;
    else this.columns[x]! &= ~(1 << y) & 0xff;
  }

  pixel(x: number, y: number): boolean {
    if (x < 0 || x >= this.width || y < 0 || y > 7) return false;
    return (this.columns[x]! & (1 << y)) !== 0;
  }
}

/** Width in columns of `length` character codes drawn with font8x8: glyphs plus one blank column between. */
export function codesWidth(codes: Uint8Array, length: number): number {
  let w = 0;
  for (let i = 0; i < length; i++) {
    if (i > 0) w += GLYPH_SPACING;
    w += FONT_WIDTH[glyphIndex(codes[i]!)]!;
  }
  return w;
}

/**
 * Draws `length` character codes with the first column at x (negative: scrolled off the left),
 * lighting only columns in [clipFrom, clipTo). Lit pixels are ORed in; the caller clears first.
 */
export function drawCodes(canvas: MatrixCanvas, codes: Uint8Array, length: number, x: number, clipFrom: number, clipTo: number): void {
  const from = clipFrom < 0 ? 0 : clipFrom;
  const to = clipTo > canvas.width ? canvas.width : clipTo;
  const cols = canvas.columns;
  let cx = x;
  for (let i = 0; i < length && cx < to; i++) {
    const g = glyphIndex(codes[i]!);
    const w = FONT_WIDTH[g]!;
    if (cx + w > from) {
      const base = FONT_OFFSET[g]!;
      for (let k = 0; k < w; k++) {
        const col = cx + k;
        if (col >= from && col < to) cols[col]! |= FONT_COLUMNS[base + k]!;
      }
    }
    cx += w + GLYPH_SPACING;
  }
}

// Strings, for set-up and tests (these allocate; frames use the code forms above).
const scratch = new Uint8Array(256);

export function textWidth(text: string): number {
  return codesWidth(scratch, encodeAscii(text, scratch));
}

export function drawText(canvas: MatrixCanvas, text: string, x: number, clipFrom = 0, clipTo = canvas.width): void {
  drawCodes(canvas, scratch, encodeAscii(text, scratch), x, clipFrom, clipTo);
}
