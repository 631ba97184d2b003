// The simulator's screen as a Surface: Commodetto's Poco drawing on the global `screen` that
// mcsim's device pane provides (build/simulators/modules/screen.js), and the pane's button
// messages, which arrive at screen.onMessage (build/simulators/modules/control.js does the same).

import Poco, { type PocoPrototype } from "commodetto/Poco";
import type { Surface } from "./surface";

/** The parts of the simulator's screen object that @moddable/typings' PixelsOut leaves out. */
interface SimulatorScreen {
  onMessage?: (message: string) => void;
}

export class PocoSurface implements Surface {
  readonly #poco: PocoPrototype;
  readonly width: number;
  readonly height: number;

  constructor() {
    // Room for one 16-module matrix row (129 fills, panel.ts) in one update; the default display
    // list is 1,024 bytes (documentation/commodetto/poco.md). Allocated once by Poco, not per frame.
    this.#poco = new Poco(screen, { displayListLength: 8192 });
    this.width = this.#poco.width;
    this.height = this.#poco.height;
  }

  begin(x: number, y: number, width: number, height: number): void {
    this.#poco.begin(x, y, width, height);
  }

  fill(rgb: number, x: number, y: number, width: number, height: number): void {
    const p = this.#poco;
    p.fillRectangle(p.makeColor((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff), x, y, width, height);
  }

  end(): void {
    this.#poco.end();
  }
}

/** Sends every message from the simulator pane to fn. */
export function onPaneMessage(fn: (message: string) => void): void {
  (screen as unknown as SimulatorScreen).onMessage = fn;
}
