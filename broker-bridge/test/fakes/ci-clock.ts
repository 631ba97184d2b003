// A clock for CI tests and the polling benchmark: time moves only through advance(); due timers
// run in time order, and after each one the caller's settle() lets real loopback I/O finish.

import type { Clock } from "../../src/clock";

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  #timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 2, 6, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Deferral is not time: it runs after this turn of the real event loop. */
  defer(fn: () => void): void {
    setImmediate(fn);
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = { id: this.#next++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id as unknown as NodeJS.Timeout;
  }

  clearTimeout(handle: NodeJS.Timeout | undefined): void {
    this.#timers = this.#timers.filter((t) => t.id !== (handle as unknown as number));
  }

  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by ms, firing due timers in order; settle() runs after each. */
  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      let first: Timer | undefined;
      for (const t of this.#timers) if (t.due <= target && (first === undefined || t.due < first.due || (t.due === first.due && t.id < first.id))) first = t;
      if (first === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== first);
      this.#now = Math.max(this.#now, first.due);
      first.fn();
      await settle();
    }
    this.#now = target;
  }
}
