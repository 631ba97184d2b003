// Every callback an adapter hands to the SDK goes through guard(): XS aborts on an exception that
// escapes a host callback (a restart on the ESP32), so a throw is traced and dropped instead.

import type { Log } from "../../core/ports";

export function guard<A extends unknown[]>(log: Log | undefined, where: string, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      log?.warn(`${where}: callback failed: ${String(e)}`);
    }
  };
}
