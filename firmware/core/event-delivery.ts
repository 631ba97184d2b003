// Delivers the gadget's events to the bridge: publishes at once while online, queues in the
// bounded outbox while not (outbox.ts: capacity, and a maximum age after which an event is never
// sent), flushes in order on reconnect, and waits for each sent event's ack (ack-waits.ts).
// What the person must be told (queued, too late, no answer) goes back through DeliveryEvents.

import { encode } from "@shipgate/protocol/codec";
import type { ButtonName, GadgetEvent } from "@shipgate/protocol/messages";
import type { Topics } from "@shipgate/protocol/topics";
import { AckWaits } from "./ack-waits";
import { Outbox, type OutboxOptions } from "./outbox";
import type { Clock, Log } from "./ports";
import type { Session } from "./session";

export interface DeliveryEvents {
  sent(event: GadgetEvent): void;
  /** The event's ack did not come in time. */
  unanswered(event: GadgetEvent): void;
  /** The newest of the events that grew too old in the outbox and were dropped unsent. */
  tooLate(event: GadgetEvent): void;
  /** What waits changed (the button LEDs follow it). */
  changed(): void;
}

export class EventDelivery {
  readonly #session: Session;
  readonly #topic: string;
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #on: DeliveryEvents;
  readonly #outbox: Outbox<GadgetEvent>;
  readonly #acks: AckWaits;

  /** `clock` should be a GuardedClock: the ack timeouts run from timers. */
  constructor(session: Session, topics: Topics, gadgetId: string, clock: Clock, log: Log, ackTimeoutMs: number, outbox: Partial<OutboxOptions>, on: DeliveryEvents) {
    this.#session = session;
    this.#topic = topics.gadgetEvent(gadgetId);
    this.#clock = clock;
    this.#log = log;
    this.#on = on;
    this.#outbox = new Outbox<GadgetEvent>(outbox);
    this.#acks = new AckWaits(clock, ackTimeoutMs);
  }

  get queued(): number {
    return this.#outbox.size;
  }

  /** Whether an event of this button is sent and unanswered, or queued. */
  waiting(button: ButtonName): boolean {
    return this.#acks.has(button) || this.#outbox.some((e) => e.button === button);
  }

  /** Whether the event goes out now (online, nothing queued before it). */
  get direct(): boolean {
    return this.#session.isOnline && this.#outbox.size === 0;
  }

  /** Sends the event now (when direct). */
  sendNow(event: GadgetEvent): void {
    this.#send(event);
    this.#on.changed();
  }

  /** Queues the event behind the others; the oldest is dropped (and traced) when the outbox is full. */
  queue(event: GadgetEvent): void {
    const dropped = this.#outbox.push(event, this.#clock.now());
    if (dropped !== undefined) {
      this.#log.warn(`outbox: full at ${this.#outbox.options.capacity}; dropped event seq ${dropped.seq} (${this.#outbox.overflowed} dropped since boot)`);
    }
  }

  /** Sends what waits, oldest first, while online (after dropping what grew too old). */
  flush(): void {
    this.expire();
    while (this.#session.isOnline) {
      const event = this.#outbox.shift();
      if (event === undefined) break;
      this.#send(event);
    }
    this.#on.changed();
  }

  /** Drops events too old to send (outbox.ts) and says so: the person must press again. */
  expire(): void {
    const now = this.#clock.now();
    if (!this.#outbox.hasExpired(now)) return;
    const expired = this.#outbox.takeExpired(now);
    for (const event of expired) {
      this.#log.warn(`outbox: event seq ${event.seq} (${event.button} ${event.gesture}) older than ${this.#outbox.options.maxAgeMs} ms dropped unsent`);
    }
    this.#on.changed();
    const last = expired[expired.length - 1];
    if (last !== undefined) this.#on.tooLate(last);
  }

  /** The awaited event an ack answers, or undefined when it came too late (or is not ours). */
  settle(seq: number): GadgetEvent | undefined {
    const event = this.#acks.settle(seq);
    if (event !== undefined) this.#on.changed();
    return event;
  }

  clear(): void {
    this.#acks.clear();
  }

  #send(event: GadgetEvent): void {
    if (!this.#session.publish(this.#topic, encode(event), 1)) {
      this.#outbox.push(event, this.#clock.now());
      return;
    }
    this.#acks.wait(event, this.#unanswered);
    this.#on.sent(event);
  }

  readonly #unanswered = (event: GadgetEvent): void => {
    this.#log.warn(`app: no ack for event seq ${event.seq} (${event.button} ${event.gesture}) within ${this.#acks.timeoutMs} ms`);
    this.#on.changed();
    this.#on.unanswered(event);
  };
}
