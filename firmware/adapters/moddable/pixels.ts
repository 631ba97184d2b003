// PixelStrip port on the device: one WS2812 ring per GPIO through Moddable's neopixel driver
// ($(MODDABLE)/modules/drivers/neopixel), which drives each ring from its own RMT channel.
//
// - The core speaks 0xRRGGBB; the driver stores colours in the wire order ("GRB" for WS2812B,
//   datasheet "Data transmission method": G7..G0 R7..R0 B7..B0), so every colour goes through
//   makeRGB, which packs it in that order.
// - The driver scales by `brightness` (default 64 of 255) on every update; the core already applies
//   its own brightness cap, so the driver's is set to 255 to avoid scaling twice.

import NeoPixel from "neopixel";
import type { PixelStrip } from "../../core/ports";

export class ModdablePixelStrip implements PixelStrip {
  readonly #strip: NeoPixel;
  readonly length: number;

  constructor(pin: number, length: number) {
    this.#strip = new NeoPixel({ length, pin, order: "GRB" });
    this.#strip.brightness = 255;
    this.length = length;
  }

  setPixel(i: number, rgb: number): void {
    const s = this.#strip;
    s.setPixel(i, s.makeRGB((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff));
  }

  update(): void {
    this.#strip.update();
  }

  close(): void {
    // The driver blanks the ring and frees its RMT channel (esp32/modneopixel.c, destructor).
    this.#strip.close();
  }
}
