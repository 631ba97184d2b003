// SystemPort in the Moddable simulator: free memory from Moddable's Instrumentation as on the
// device (the simulator's build answers it in -d builds), "simulator" as the restart reason (there
// is no ESP-IDF reset reason on a computer). Mapped in place of adapters/moddable/system on host
// platforms, with the same export.

import Instrumentation from "instrumentation";
import type { SystemPort } from "../../core/ports";

export class ModdableSystem implements SystemPort {
  readonly #version: string;
  readonly #freeMemory: number | undefined;

  constructor(version: string) {
    this.#version = version;
    this.#freeMemory = Instrumentation.map("System Free Memory");
  }

  freeHeap(): number {
    if (this.#freeMemory === undefined) return 0;
    return Instrumentation.get(this.#freeMemory) ?? 0;
  }

  restartReason(): string {
    return "simulator";
  }

  version(): string {
    return this.#version;
  }
}
