// A Link over the in-process broker: inbound messages arrive from the broker's authorizePublish
// hook with the sender's identity; outbound messages are published as the broker itself.
import type { Logger } from "pino";
import type { InboundMessage, Link, MessageHandler, PublishOptions } from "./link";
import { Router } from "./router";

/** What the link needs of the in-process broker (broker/embedded-broker.ts), so link/ stays below it. */
export interface BrokerPublisher {
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void>;
}

/** Below aedes' default mqemitter concurrency (100), so the bridge alone never fills its queue. */
export const MAX_IN_FLIGHT = 64;

export class EmbeddedLink implements Link {
  readonly kind = "embedded";
  readonly #router: Router;
  #broker: BrokerPublisher | null = null;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** Bulk refreshes by topic, oldest first; `drop` settles one that a newer publish replaced. */
  readonly #bulk = new Map<string, { run: () => void; drop: () => void }>();

  constructor(log: Logger) {
    this.#router = new Router(log);
  }

  /** The broker is created after the link, because the broker needs the link's deliver(). */
  attach(broker: BrokerPublisher): void {
    this.#broker = broker;
  }

  deliver(message: InboundMessage): void {
    this.#router.dispatch(message);
  }

  subscribe(filter: string, handler: MessageHandler): void {
    this.#router.add(filter, handler);
  }

  /**
   * Publishes in order with at most MAX_IN_FLIGHT publishes inside the broker at once. A burst of
   * thousands (every position in a long queue shifting) would otherwise pile up in mqemitter's
   * queue, whose synchronous releases recurse once per queued message and overflowed the stack at
   * 10,000 waiting locks (docs/performance.md); past the limit, publishes wait here instead.
   * Bulk refreshes wait behind every other publish, and a newer publish on their topic replaces
   * them, so a decision never queues behind a thousand position updates nor is undone by one.
   */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const run = () => {
        const broker = this.#broker;
        if (broker === null) return reject(new Error(`cannot publish ${topic}: the broker is not running`));
        this.#inFlight++;
        broker
          .publish(topic, payload, options.qos, options.retain)
          .then(resolve, reject)
          .finally(() => {
            this.#inFlight--;
            this.#next();
          });
      };
      const superseded = this.#bulk.get(topic);
      if (superseded !== undefined) {
        this.#bulk.delete(topic);
        superseded.drop();
      }
      if (options.bulk) {
        this.#bulk.set(topic, { run, drop: resolve });
        this.#next();
      } else if (this.#inFlight < MAX_IN_FLIGHT && this.#waiting.length === 0) {
        run();
      } else {
        this.#waiting.push(run);
      }
    });
  }

  #next(): void {
    if (this.#inFlight >= MAX_IN_FLIGHT) return;
    const urgent = this.#waiting.shift();
    if (urgent !== undefined) return urgent();
    for (const [topic, entry] of this.#bulk) {
      this.#bulk.delete(topic);
      return entry.run();
    }
  }

  /** Publishes waiting for room (for tests and metrics). */
  get backlog(): number {
    return this.#waiting.length + this.#bulk.size;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.#broker = null;
  }
}
