// Clock port on Node (performance.now and timers), and a manual clock for tests that advances
// only when told. ManualClock uses no Node API, so portable test cases can use it inside XS too.

import type { Clock, TimerHandle } from "../../core/ports";

/** The real clock: monotonic milliseconds and Node timers that never keep the process alive alone. */
export class NodeClock implements Clock {
  now(): number {
    return performance.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t;
  }

  every(ms: number, fn: () => void): TimerHandle {
    const t = setInterval(fn, Math.max(1, ms));
    t.unref();
    return t;
  }

  cancel(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

export { ManualClock } from "./manual-clock";
