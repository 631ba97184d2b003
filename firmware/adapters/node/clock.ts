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
