// One timer for the next thing the gates do by themselves (an expiry, a mode's `until`, a freeze
// edge, a retained state to clear). A callback that throws (the store refused a write:
// SQLITE_READONLY, a full disk) is reported and retried later; it never escapes into the event
// loop, where it would end the process (issue 12).

import type { Clock } from "../clock";

/** How soon a failed tick is tried again. */
export const TICK_RETRY_MS = 5_000;

export class LockTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly tick: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Arms the timer for `at` (epoch ms); Infinity disarms it. */
  at(at: number): void {
    if (this.#stopped) return;
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!Number.isFinite(at)) return;
    this.#timer = this.clock.setTimeout(() => this.#run(), Math.max(0, at - this.clock.now()));
  }

  stop(): void {
    this.#stopped = true;
    this.clock.clearTimeout(this.#timer);
  }

  #run(): void {
    try {
      this.tick();
    } catch (err) {
      this.onError(err);
      this.at(this.clock.now() + TICK_RETRY_MS);
    }
  }
}
