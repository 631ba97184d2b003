// SpiBus port in the Moddable simulator: the MAX7219 bytes go through simulated chips
// (node/sim-spi.ts) and every latch redraws the display on the simulator's screen. Mapped in place
// of adapters/moddable/spi on host platforms, with the same export.

import type { SpiBus } from "../../core/ports";
import { hostBoard } from "./host";

/** As adapters/moddable/spi.ts; the simulated chain needs no pins. */
export interface SpiPins {
  clock: number;
  mosi: number;
  select: number;
}

export class ModdableSpiBus implements SpiBus {
  readonly #bus: SpiBus;

  constructor(_pins: SpiPins, _port: number, _hz: number) {
    this.#bus = hostBoard().displayBus();
  }

  write(bytes: Uint8Array): void {
    this.#bus.write(bytes);
  }

  flush(deselect: boolean): void {
    this.#bus.flush(deselect);
  }

  close(): void {
    this.#bus.close();
  }
}
