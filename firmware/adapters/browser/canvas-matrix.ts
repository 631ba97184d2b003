// The SpiBus port (core/ports.ts) for a MAX7219 LED matrix drawn on a canvas. The bytes go
// through the simulated chip chain (adapters/node/sim-spi.ts, plain TypeScript with no Node APIs)
// so the firmware's real MAX7219 driver is exercised, and each latch (flush with deselect, the
// rising edge of LOAD in the MAX7219 datasheet) redraws what the chips would light.

import type { SpiBus } from "../../core/ports";
import { SimMax7219Chain } from "../node/sim-spi";

const LIT = "#ff4a2a";
const DARK = "#2a0d08";

export class CanvasMatrix implements SpiBus {
  readonly chain: SimMax7219Chain;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #modules: number;
  #closed = false;

  constructor(canvas: HTMLCanvasElement, modules: number) {
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("CanvasMatrix: the canvas has no 2D context");
    this.chain = new SimMax7219Chain(modules);
    this.#canvas = canvas;
    this.#context = context;
    this.#modules = modules;
  }

  write(bytes: Uint8Array): void {
    this.chain.write(bytes);
  }

  flush(deselect: boolean): void {
    this.chain.flush(deselect);
    if (deselect) this.#draw();
  }

  close(): void {
    this.#closed = true;
    this.chain.close();
  }

  #draw(): void {
    if (this.#closed) return;
    const cols = this.#modules * 8;
    const { width, height } = this.#canvas;
    const cell = Math.min(width / cols, height / 8);
    const ctx = this.#context;
    ctx.fillStyle = "#0b0606";
    ctx.fillRect(0, 0, width, height);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < cols; x++) {
        ctx.fillStyle = this.chain.matrixPixel(x, y) ? LIT : DARK;
        ctx.beginPath();
        ctx.arc(x * cell + cell / 2, y * cell + cell / 2, cell * 0.38, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
}
