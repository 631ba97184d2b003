// The Clock port (core/ports.ts) in a browser: performance.now() is monotonic (High Resolution
// Time, section 4), and window timers carry the callbacks.

import type { Clock, TimerHandle } from "../../core/ports";

export class BrowserClock implements Clock {
  now(): number {
    return performance.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    return { kind: "timeout", id: window.setTimeout(fn, ms) };
  }

  every(ms: number, fn: () => void): TimerHandle {
    return { kind: "interval", id: window.setInterval(fn, ms) };
  }

  cancel(handle: TimerHandle): void {
    const h = handle as { kind: "timeout" | "interval"; id: number } | null;
    if (h === null || typeof h !== "object") return;
    if (h.kind === "timeout") window.clearTimeout(h.id);
    else window.clearInterval(h.id);
  }
}
