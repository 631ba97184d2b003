// The reconnect delay policy: exponential backoff with jitter, reset on success. Pure and
// clock-free so it runs in XS and is tested with plain numbers. The shape (1 s doubling to 64 s,
// reset once connected) follows node-red-mcu's MQTT broker node; jitter keeps a room full of
// gadgets from reconnecting in lock step after the broker restarts.

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Largest delay, in milliseconds; doubling stops here. */
  maxMs: number;
  /**
   * Fraction of the delay that may be taken away at random, 0 to 1 ("equal jitter"): each delay
   * lies in [base * (1 - jitter), base], so it never exceeds maxMs.
   */
  jitter: number;
}

export const BACKOFF_DEFAULTS: Readonly<BackoffOptions> = Object.freeze({ initialMs: 1000, maxMs: 64_000, jitter: 0.25 });

export class Backoff {
  readonly options: Readonly<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  /** random returns a number in [0, 1), like Math.random; injected so tests are exact. */
  constructor(options: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    const o = { ...BACKOFF_DEFAULTS, ...options };
    if (!(o.initialMs > 0) || !(o.maxMs >= o.initialMs)) throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got ${o.initialMs} and ${o.maxMs}`);
    if (!(o.jitter >= 0 && o.jitter <= 1)) throw new RangeError(`backoff: jitter must be between 0 and 1, got ${o.jitter}`);
    this.options = Object.freeze(o);
    this.#random = random;
  }

  /** Retries since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The base delay (before jitter) the next call to next() uses. */
  get baseMs(): number {
    const { initialMs, maxMs } = this.options;
    // Stop doubling once at the cap, so a week offline cannot overflow to Infinity.
    let base = initialMs;
    for (let i = 0; i < this.#attempt && base < maxMs; i++) base *= 2;
    return base < maxMs ? base : maxMs;
  }

  /** The delay before the next attempt, in whole milliseconds; counts one more attempt. */
  next(): number {
    const base = this.baseMs;
    this.#attempt++;
    const r = this.#random();
    const fraction = r >= 0 && r < 1 ? r : 0;
    return Math.round(base * (1 - this.options.jitter * fraction));
  }

  /** A connection succeeded: the next failure starts again from initialMs. */
  reset(): void {
    this.#attempt = 0;
  }
}
