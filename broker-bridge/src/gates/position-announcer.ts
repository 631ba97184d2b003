// Positions behind a removed lock shift; announce them once per burst of decisions, a slice per
// turn of the event loop. With thousands waiting, one synchronous pass would hold up every other
// message (and overflowed aedes' stack in the scale benchmark); a decision made meanwhile simply
// restarts the pass from the head.

import type { LockQueue } from "./lock-queue";

/** Locks re-announced per turn of the event loop when positions shift. */
const POSITION_SLICE = 250;

export class PositionAnnouncer {
  /** Positions last announced, so only locks whose place changed are republished. */
  readonly #announced = new Map<string, number>();
  #dirty = false;
  /** Where the running pass has got to in the queue. */
  #from = 0;
  #stopped = false;

  constructor(
    private readonly queue: LockQueue,
    /** Re-announces a pending lock whose position changed (false when it is no longer pending). */
    private readonly announce: (id: string) => void,
    private readonly onError: (err: unknown) => void,
    /** Runs a slice after this turn of the event loop (the clock's defer). */
    private readonly defer: (fn: () => void) => void,
  ) {}

  /** A lock was announced at this position (null: it left the queue). */
  announced(id: string, position: number | null): void {
    if (position === null) this.#announced.delete(id);
    else this.#announced.set(id, position);
  }

  schedule(): void {
    this.#from = 0;
    if (this.#dirty) return;
    this.#dirty = true;
    this.defer(() => this.#step());
  }

  stop(): void {
    this.#stopped = true;
  }

  #step(): void {
    if (this.#stopped) return;
    const from = this.#from;
    const to = Math.min(this.queue.length, from + POSITION_SLICE);
    try {
      for (let i = from; i < to; i++) {
        const id = this.queue.at(i) as string;
        if (this.#announced.get(id) === i + 1) continue;
        this.announce(id);
      }
    } catch (err) {
      // A store read failed: say so and carry on with the next slice; never crash the bridge.
      this.onError(err);
    }
    this.#from = to;
    if (to < this.queue.length) this.defer(() => this.#step());
    else this.#dirty = false;
  }
}
