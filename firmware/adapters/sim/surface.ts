// Where the simulated panel draws: filled rectangles in 0xRRGGBB inside begin()/end() brackets,
// the shape of Commodetto's Poco (documentation/commodetto/poco.md: begin(x, y, w, h) limits
// drawing to the area being updated, end() renders it to the screen). screen.ts puts Poco behind it in the
// Moddable simulator; FrameBuffer keeps the pixels in memory, for the tests and in XS.

export interface Surface {
  readonly width: number;
  readonly height: number;
  begin(x: number, y: number, width: number, height: number): void;
  fill(rgb: number, x: number, y: number, width: number, height: number): void;
  end(): void;
}

/** A width x height frame of 0xRRGGBB pixels; fills are clipped to the frame and to begin()'s area. */
export class FrameBuffer implements Surface {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint32Array;
  #clipX = 0;
  #clipY = 0;
  #clipW = 0;
  #clipH = 0;
  #open = false;
  /** Completed begin()/end() brackets (each one a screen update in the simulator). */
  frames = 0;

  constructor(width: number, height: number) {
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
      throw new RangeError(`FrameBuffer: width and height must be positive integers, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.pixels = new Uint32Array(width * height);
  }

  begin(x: number, y: number, width: number, height: number): void {
    if (this.#open) throw new Error("FrameBuffer.begin: already drawing (end() was not called)");
    this.#open = true;
    this.#clipX = x;
    this.#clipY = y;
    this.#clipW = width;
    this.#clipH = height;
  }

  fill(rgb: number, x: number, y: number, width: number, height: number): void {
    if (!this.#open) throw new Error("FrameBuffer.fill: outside begin()/end()");
    const x0 = Math.max(x, this.#clipX, 0);
    const y0 = Math.max(y, this.#clipY, 0);
    const x1 = Math.min(x + width, this.#clipX + this.#clipW, this.width);
    const y1 = Math.min(y + height, this.#clipY + this.#clipH, this.height);
    for (let py = y0; py < y1; py++) this.pixels.fill(rgb >>> 0, py * this.width + x0, py * this.width + Math.max(x0, x1));
  }

  end(): void {
    if (!this.#open) throw new Error("FrameBuffer.end: begin() was not called");
    this.#open = false;
    this.frames++;
  }

  pixel(x: number, y: number): number {
    return this.pixels[y * this.width + x]!;
  }
}
