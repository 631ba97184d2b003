// Wall-clock time and timers, injected so tests can drive time and services never read Date.now()
// directly.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(handle: NodeJS.Timeout | undefined): void;
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
};

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
