// A clock for tests, on Node and in XS: no Node API, so XS test cases can use it too.

import type { Clock, TimerHandle } from "../../core/ports";

interface ManualTimer {
  id: number;
  due: number;
  period: number;
  fn: () => void;
}

/** A clock for tests: time moves only through advance(); due timers run in time order. */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: ManualTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const t: ManualTimer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), period: 0, fn };
    this.#timers.push(t);
    return t.id;
  }

  every(ms: number, fn: () => void): TimerHandle {
    const period = Math.max(1, ms);
    const t: ManualTimer = { id: this.#nextId++, due: this.#now + period, period, fn };
    this.#timers.push(t);
    return t.id;
  }

  cancel(handle: TimerHandle): void {
    for (let i = 0; i < this.#timers.length; i++) {
      if (this.#timers[i]!.id === handle) {
        this.#timers.splice(i, 1);
        return;
      }
    }
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by ms, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.#timers) if (t.due <= end && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (next === undefined) break;
      this.#now = next.due;
      if (next.period > 0) next.due += next.period;
      else this.cancel(next.id);
      next.fn();
    }
    this.#now = end;
  }
}
