// The events sent and not yet acknowledged, each with its ack timeout.

import type { ButtonName, GadgetEvent } from "@shipgate/protocol/messages";
import type { Clock, TimerHandle } from "./ports";

interface Awaiting {
  event: GadgetEvent;
  timer: TimerHandle;
}

export class AckWaits {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #awaiting: Awaiting[] = [];

  /** `clock` should be a GuardedClock: the timeout callback runs from a timer. */
  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  get size(): number {
    return this.#awaiting.length;
  }

  /** Waits for the ack of `event`; calls timedOut(event) if none comes within the timeout. */
  wait(event: GadgetEvent, timedOut: (event: GadgetEvent) => void): void {
    const timer = this.#clock.after(this.#timeoutMs, () => {
      if (this.#take(event.seq) !== undefined) timedOut(event);
    });
    this.#awaiting.push({ event, timer });
  }

  /** The awaited event with this seq, removed and its timeout cancelled; undefined when late. */
  settle(seq: number): GadgetEvent | undefined {
    const a = this.#take(seq);
    if (a === undefined) return undefined;
    this.#clock.cancel(a.timer);
    return a.event;
  }

  /** Whether an event of this button is awaiting its ack. */
  has(button: ButtonName): boolean {
    for (const a of this.#awaiting) if (a.event.button === button) return true;
    return false;
  }

  clear(): void {
    for (const a of this.#awaiting) this.#clock.cancel(a.timer);
    this.#awaiting.length = 0;
  }

  #take(seq: number): Awaiting | undefined {
    for (let i = 0; i < this.#awaiting.length; i++) {
      const a = this.#awaiting[i]!;
      if (a.event.seq === seq) {
        this.#awaiting.splice(i, 1);
        return a;
      }
    }
    return undefined;
  }
}
