// PixelStrip port in the Moddable simulator: each ring drawn on the simulator's screen (panel.ts).
// Mapped in place of adapters/moddable/pixels on host platforms, with the same export.

import type { PixelStrip } from "../../core/ports";
import { hostBoard } from "./host";

export class ModdablePixelStrip implements PixelStrip {
  readonly #strip: PixelStrip;
  readonly length: number;

  constructor(pin: number, length: number) {
    this.#strip = hostBoard().ring(pin, length);
    this.length = length;
  }

  setPixel(i: number, rgb: number): void {
    this.#strip.setPixel(i, rgb);
  }

  update(): void {
    this.#strip.update();
  }

  close(): void {
    this.#strip.close();
  }
}
