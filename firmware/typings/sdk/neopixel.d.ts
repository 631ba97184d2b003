// Moddable's "neopixel" driver ($(MODDABLE)/modules/drivers/neopixel): @moddable/typings 5.6.0 on
// npm has no declaration for it, the SDK 8.2.3 tree has typings/neopixel.d.ts. mcconfig uses the
// SDK's own file, so this one serves firmware/tsconfig.json only and must stay compatible with it.
// Checked against neopixel.js and esp32/modneopixel.c (SDK 8.2.3):
// - the constructor reads `length` (RangeError "no pixels" when 0), `pin` (RangeError "no pin"),
//   `order` (3 letters from R, G, B or 4 with W; default "GRB"); there is no `timing` option on
//   ESP32 (RMT timings are fixed for WS2812 in led_strip_encoder.c);
// - colours passed to setPixel/fill are in the strip's own order: make them with makeRGB/makeHSB;
// - brightness is 0 to 255, clamped, 64 after construction; close() blanks the strip first.

declare module "neopixel" {
  interface NeoPixelOptions {
    /** Number of pixels. */
    length?: number;
    /** GPIO number of the data line. */
    pin?: number;
    /** Wire order of the colour bytes: "GRB" for WS2812B, "RGBW"-style for 4-channel parts. */
    order?: string;
  }

  class NeoPixel extends HostBuffer {
    constructor(options?: NeoPixelOptions);

    close(): void;
    /** Sends the pixel buffer to the strip (RMT on ESP32). */
    update(): void;

    /** r, g, b (and w) 0 to 255, packed in the strip's order. */
    makeRGB(r: number, g: number, b: number, w?: number): number;
    /** h 0 to 359, s and b 0 to 1000, packed in the strip's order. */
    makeHSB(h: number, s: number, b: number, w?: number): number;
    setPixel(index: number, color: number): void;
    fill(color: number, index?: number, count?: number): void;
    getPixel(index: number): number;

    get brightness(): number;
    set brightness(value: number);
    get length(): number;
    get byteLength(): number;
  }
  export default NeoPixel;
}
