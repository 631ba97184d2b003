// The PixelStrip port (core/ports.ts) drawn on a canvas: a WS2812 ring as a circle of LEDs, for
// the dashboard's view of each gadget and the virtual gadget. The ring animator writes the same
// colours it would send to the LEDs; this draws them (LED 0 at the top, clockwise, as the ring
// is mounted in hardware/). An LED that is off is drawn as a dim outline so the ring stays visible.

import type { PixelStrip } from "../../core/ports";

const OFF_FILL = "#1d2127";
const OFF_STROKE = "#3a414b";

export class CanvasRing implements PixelStrip {
  readonly length: number;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #colors: Uint32Array;
  #closed = false;

  constructor(canvas: HTMLCanvasElement, length: number) {
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("CanvasRing: the canvas has no 2D context");
    this.length = length;
    this.#canvas = canvas;
    this.#context = context;
    this.#colors = new Uint32Array(length);
  }

  setPixel(i: number, rgb: number): void {
    if (i >= 0 && i < this.length) this.#colors[i] = rgb & 0xffffff;
  }

  /** What LED i shows (0xRRGGBB), for tests. */
  pixel(i: number): number {
    return this.#colors[i] ?? 0;
  }

  update(): void {
    if (this.#closed) return;
    const { width, height } = this.#canvas;
    const ctx = this.#context;
    ctx.clearRect(0, 0, width, height);
    const cx = width / 2;
    const cy = height / 2;
    const led = Math.max(2, Math.min(width, height) * 0.075);
    const radius = Math.min(width, height) / 2 - led - 1;
    for (let i = 0; i < this.length; i++) {
      const angle = (i / this.length) * 2 * Math.PI - Math.PI / 2;
      const x = cx + radius * Math.cos(angle);
      const y = cy + radius * Math.sin(angle);
      const c = this.#colors[i] ?? 0;
      ctx.beginPath();
      ctx.arc(x, y, led, 0, 2 * Math.PI);
      if (c === 0) {
        ctx.fillStyle = OFF_FILL;
        ctx.strokeStyle = OFF_STROKE;
        ctx.fill();
        ctx.stroke();
      } else {
        ctx.fillStyle = `#${c.toString(16).padStart(6, "0")}`;
        ctx.fill();
      }
    }
  }

  close(): void {
    this.#closed = true;
  }
}
