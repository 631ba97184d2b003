// The bounded outbox for events made while the MQTT session is down.
//
// Rules (docs/protocol.md, "Gadget outbox"):
// - At most `capacity` events wait; when a new one arrives at a full outbox, the oldest is dropped
//   and counted, because a retry queue without a bound fills the gadget's small heap (peers.md:
//   "Bound every retry queue").
// - An event older than `maxAgeMs` (30 s by default, measured on the gadget's monotonic clock from
//   the moment the button was pressed) is never sent: a decision is only meaningful about what
//   the person saw on the display, and a stale approve must not reach the bridge minutes later.
//   The app shows such a drop as an error, so the person knows to press again.
// Events keep their order, so the bridge still sees (boot, seq) only grow.

export interface OutboxOptions {
  /** Most events kept while offline. */
  capacity: number;
  /** Oldest age, in milliseconds, at which an event may still be sent. */
  maxAgeMs: number;
}

export const OUTBOX_DEFAULTS: Readonly<OutboxOptions> = Object.freeze({ capacity: 16, maxAgeMs: 30_000 });

interface Entry<T> {
  item: T;
  at: number;
}

export class Outbox<T> {
  readonly options: Readonly<OutboxOptions>;
  readonly #entries: Entry<T>[] = [];
  /** Events dropped because the outbox was full, since start. */
  overflowed = 0;
  /** Events dropped because they grew too old, since start. */
  expired = 0;

  constructor(options: Partial<OutboxOptions> = {}) {
    const o = { ...OUTBOX_DEFAULTS, ...options };
    if (!(o.capacity >= 1) || Math.floor(o.capacity) !== o.capacity) throw new RangeError(`outbox: capacity must be a whole number >= 1, got ${o.capacity}`);
    if (!(o.maxAgeMs > 0)) throw new RangeError(`outbox: maxAgeMs must be > 0, got ${o.maxAgeMs}`);
    this.options = Object.freeze(o);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Queues item made at time `at`; returns the oldest item when it had to make room, else undefined. */
  push(item: T, at: number): T | undefined {
    let dropped: T | undefined;
    if (this.#entries.length >= this.options.capacity) {
      dropped = this.#entries.shift()?.item;
      this.overflowed++;
    }
    this.#entries.push({ item, at });
    return dropped;
  }

  /** Whether the oldest event is too old at `now` (cheap: no allocation, for a periodic check). */
  hasExpired(now: number): boolean {
    const first = this.#entries[0];
    return first !== undefined && now - first.at > this.options.maxAgeMs;
  }

  /** Removes and returns every event too old to send at `now`, oldest first. */
  takeExpired(now: number): T[] {
    const out: T[] = [];
    while (this.hasExpired(now)) {
      const entry = this.#entries.shift();
      if (entry === undefined) break;
      out.push(entry.item);
      this.expired++;
    }
    return out;
  }

  /** Removes and returns the oldest event that may still be sent, after dropping expired ones via takeExpired. */
  shift(): T | undefined {
    return this.#entries.shift()?.item;
  }

  /** Whether any waiting event matches. */
  some(matches: (item: T) => boolean): boolean {
    for (const e of this.#entries) if (matches(e.item)) return true;
    return false;
  }

  /** The events waiting, oldest first (a copy). */
  items(): T[] {
    const out: T[] = [];
    for (const e of this.#entries) out.push(e.item);
    return out;
  }
}
