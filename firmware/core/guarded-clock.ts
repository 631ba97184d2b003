// A Clock whose callbacks cannot throw into the host's timer loop.
//
// XS aborts the machine on an exception that escapes a host callback (xsnapPlatform.c and the
// ESP32 port both end in fxAbort, XS_UNHANDLED_EXCEPTION_EXIT): on the device that is a restart.
// Every timer the core sets goes through this wrapper, so a callback that throws is traced,
// counted (for tests and telemetry) and the loop carries on.

import type { Clock, Log, TimerHandle } from "./ports";

export class GuardedClock implements Clock {
  readonly #clock: Clock;
  readonly #log: Log;
  /** Timer callbacks that threw since start. */
  failures = 0;

  constructor(clock: Clock, log: Log) {
    this.#clock = clock;
    this.#log = log;
  }

  now(): number {
    return this.#clock.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.#clock.after(ms, this.#guard(fn));
  }

  every(ms: number, fn: () => void): TimerHandle {
    return this.#clock.every(ms, this.#guard(fn));
  }

  cancel(handle: TimerHandle): void {
    this.#clock.cancel(handle);
  }

  /** The one wrapper per timer, made when the timer is set (never per tick). */
  #guard(fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (e) {
        this.failures++;
        this.#log.warn(`timer: callback failed (${this.failures} since start): ${String(e)}`);
      }
    };
  }
}
