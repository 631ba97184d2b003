// The one retry delay policy of the product: exponential backoff with jitter, a floor, a cap, and a
// reset on success. Pure and clock-free, so it runs in XS on the gadget and on Node in the bridge
// and the CLI, and is tested with plain numbers.
//
// Shape: the gadget's reconnect follows node-red-mcu's MQTT node (1 s doubling to 64 s, reset once
// connected). Jitter keeps a room full of clients from retrying in lock step after the broker
// restarts: jitter 0.25 is "equal jitter" around the base, jitter 1 is "full jitter" (AWS
// Architecture Blog, "Exponential Backoff And Jitter", 2015), a uniform delay in [floor, base].

export interface BackoffOptions {
  /** Base delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Largest base delay, in milliseconds; doubling stops here. */
  maxMs: number;
  /**
   * Fraction of the delay that may be taken away at random, 0 to 1: each delay lies in
   * [base * (1 - jitter), base], so it never exceeds maxMs.
   */
  jitter: number;
  /** No delay is shorter, in milliseconds (never hammer a broken server). */
  floorMs: number;
}

export const BACKOFF_DEFAULTS: Readonly<BackoffOptions> = Object.freeze({ initialMs: 1000, maxMs: 64_000, jitter: 0.25, floorMs: 0 });

export class Backoff {
  readonly options: Readonly<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  /** random returns a number in [0, 1), like Math.random; injected so tests are exact. */
  constructor(options: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    const o = { ...BACKOFF_DEFAULTS, ...options };
    if (!(o.initialMs > 0) || !(o.maxMs >= o.initialMs)) throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got ${o.initialMs} and ${o.maxMs}`);
    if (!(o.jitter >= 0 && o.jitter <= 1)) throw new RangeError(`backoff: jitter must be between 0 and 1, got ${o.jitter}`);
    if (!(o.floorMs >= 0 && o.floorMs <= o.maxMs)) throw new RangeError(`backoff: need 0 <= floorMs <= maxMs, got ${o.floorMs}`);
    this.options = Object.freeze(o);
    this.#random = random;
  }

  /** Retries since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The base delay (before jitter) the next call to next() uses. */
  get baseMs(): number {
    return backoffBase(this.#attempt, this.options);
  }

  /** The delay before the next attempt, in whole milliseconds; counts one more attempt. */
  next(): number {
    const delay = backoffDelay(this.#attempt, this.options, this.#random());
    this.#attempt++;
    return delay;
  }

  /** A connection or request succeeded: the next failure starts again from initialMs. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** The base delay after `failures` failures in a row (0 for the first retry). */
export function backoffBase(failures: number, options: Readonly<BackoffOptions>): number {
  const { initialMs, maxMs } = options;
  // Stop doubling once at the cap, so a week offline cannot overflow to Infinity.
  let base = initialMs;
  for (let i = 0; i < failures && base < maxMs; i++) base *= 2;
  return base < maxMs ? base : maxMs;
}

/** The jittered delay after `failures` failures in a row; random is uniform in [0, 1). */
export function backoffDelay(failures: number, options: Readonly<BackoffOptions>, random: number): number {
  const base = backoffBase(failures, options);
  const fraction = random >= 0 && random < 1 ? random : 0;
  const delay = Math.round(base * (1 - options.jitter * fraction));
  return delay > options.floorMs ? delay : options.floorMs;
}
