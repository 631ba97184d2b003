// One pipeline's poll loop: poll, then wait the interval, stretched by the token's shared
// rate-limit budget, or a failure delay (retry-after, reset, jittered backoff). Time is injected;
// a poll never overlaps the previous one, and no exception escapes the timer callback.

import type { Clock } from "../clock";
import type { CiHttp } from "../http/http-client";
import type { PollResult } from "../builds";
import type { CiProvider } from "./providers/provider";
import type { SharedBudget } from "../http/rate-budget";
import { type BackoffOptions, failureDelay } from "./retry-policy";

export interface PollerOptions {
  name: string;
  provider: CiProvider;
  http: CiHttp;
  /** Normal wait between polls (ms). */
  intervalMs: number;
  /** Wait before the first poll (ms): pollers sharing a token start spread over the interval. */
  firstDelayMs: number;
  budget: SharedBudget;
  backoff: BackoffOptions;
  clock: Clock;
  /** Uniform in [0, 1). */
  random: () => number;
  onResult(result: PollResult): void;
  onError(err: unknown, failures: number, retryInMs: number): void;
}

export class Poller {
  readonly #o: PollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #stopped = true;
  /** Failed polls in a row. */
  failures = 0;
  nextAt: number | null = null;
  lastOkAt: number | null = null;

  constructor(options: PollerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(this.#o.firstDelayMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.nextAt = null;
  }

  /** Resolves when no poll is in flight (tests and the benchmark drive a fake clock with it). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#o.clock.clearTimeout(this.#timer);
    this.nextAt = this.#o.clock.now() + ms;
    this.#timer = this.#o.clock.setTimeout(
      () => {
        this.#running = this.#poll().finally(() => {
          this.#running = null;
        });
      },
      ms,
      "ci-poll",
    );
  }

  async #poll(): Promise<void> {
    const { clock, http, budget } = this.#o;
    let delay: number;
    try {
      const result = await this.#o.provider.poll();
      budget.observe(http.rateLimit);
      this.failures = 0;
      this.lastOkAt = clock.now();
      delay = Math.max(this.#o.intervalMs, budget.delay(clock.now()));
      try {
        this.#o.onResult(result);
      } catch (err) {
        this.#o.onError(err, 0, delay);
      }
    } catch (err) {
      budget.observe(http.rateLimit);
      this.failures++;
      delay = failureDelay(err, this.failures, clock.now(), this.#o.backoff, this.#o.random());
      // Even after a failure, a spent budget waits for its reset.
      delay = Math.max(delay, budget.delay(clock.now()));
      try {
        this.#o.onError(err, this.failures, delay);
      } catch {
        // A failing error reporter must not stop the loop.
      }
    }
    this.#schedule(delay);
  }
}
