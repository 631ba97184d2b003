// Log port on the device: XS's trace() writes to the serial console (and to xsbug when attached).

import type { Log } from "../../core/ports";

export class TraceLog implements Log {
  info(message: string): void {
    trace(message + "\n");
  }

  warn(message: string): void {
    trace("warning: " + message + "\n");
  }
}
