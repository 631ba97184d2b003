// DigitalInput/DigitalOutput ports in the Moddable simulator: buttons pressed from the simulator
// pane (keys.ts), LEDs drawn on its screen (panel.ts). On host platforms the manifest maps
// "shipgate/adapters/board/digital" here instead of to adapters/moddable/digital; the exports keep
// the names and constructors main.ts uses for the device.

import type { DigitalInput, DigitalOutput, Log } from "../../core/ports";
import { hostBoard } from "./host";

/** As adapters/moddable/digital.ts: the simulator has no pull resistors to choose. */
export type PullUp = "internal" | "external";

export class ModdableDigitalInput implements DigitalInput {
  readonly #input: DigitalInput;

  constructor(pin: number, _pullUp: PullUp, _log?: Log) {
    this.#input = hostBoard().button(pin);
  }

  read(): 0 | 1 {
    return this.#input.read();
  }

  onChange(fn: () => void): void {
    this.#input.onChange(fn);
  }

  close(): void {
    this.#input.close();
  }
}

export class ModdableDigitalOutput implements DigitalOutput {
  readonly #output: DigitalOutput;

  constructor(pin: number) {
    this.#output = hostBoard().led(pin);
  }

  write(level: 0 | 1): void {
    this.#output.write(level);
  }

  close(): void {
    this.#output.close();
  }
}
