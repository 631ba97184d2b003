// Wall-clock time and timers, injected so tests can drive time and services never read Date.now()
// or arm a timer of their own. The bridge hands services a guarded clock (guardedClock): a timer
// callback that throws is logged and counted by its name, never fatal to the process.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** name says what the timer is for, in the log and in shipgate_timer_errors_total. */
  setTimeout(fn: () => void, ms: number, name?: string): NodeJS.Timeout;
  clearTimeout(handle: NodeJS.Timeout | undefined): void;
  /** Runs fn after the current turn of the event loop (not a matter of time: fake clocks defer too). */
  defer(fn: () => void, name?: string): void;
}

/** setTimeout's limit: longer delays fire at once, so they are capped and re-armed by callers. */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle);
  },
  defer: (fn) => void setImmediate(fn),
};

/** Told about a timer callback that threw: the timer's name and the error. */
export type TimerFailure = (name: string, err: unknown) => void;

/** The same clock, with every callback caught: a throwing timer is reported, and the process lives. */
export function guardedClock(clock: Clock, failed: TimerFailure): Clock {
  const guard = (fn: () => void, name: string) => () => {
    try {
      fn();
    } catch (err) {
      try {
        failed(name, err);
      } catch {
        // Reporting must not be what takes the bridge down.
      }
    }
  };
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms, name = "unnamed") => clock.setTimeout(guard(fn, name), ms, name),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    defer: (fn, name = "unnamed") => clock.defer(guard(fn, name), name),
  };
}

/** Calls fn every ms through the clock (re-armed after each run, so runs never overlap); returns a stop. */
export function every(clock: Clock, ms: number, name: string, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () => {
    try {
      fn();
    } finally {
      if (!stopped) timer = clock.setTimeout(run, ms, name);
    }
  };
  timer = clock.setTimeout(run, ms, name);
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
