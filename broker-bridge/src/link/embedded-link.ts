// A Link over the in-process broker: inbound messages arrive from the broker's authorizePublish
// hook with the sender's identity; outbound messages are published as the broker itself.
import type { Logger } from "pino";
import type { EmbeddedBroker } from "../broker/embedded-broker";
import type { InboundMessage, Link, MessageHandler, PublishOptions } from "./link";
import { Router } from "./router";

export class EmbeddedLink implements Link {
  readonly kind = "embedded";
  readonly #router: Router;
  #broker: EmbeddedBroker | null = null;

  constructor(log: Logger) {
    this.#router = new Router(log);
  }

  /** The broker is created after the link, because the broker needs the link's deliver(). */
  attach(broker: EmbeddedBroker): void {
    this.#broker = broker;
  }

  deliver(message: InboundMessage): void {
    this.#router.dispatch(message);
  }

  subscribe(filter: string, handler: MessageHandler): void {
    this.#router.add(filter, handler);
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    if (this.#broker === null) return Promise.reject(new Error(`cannot publish ${topic}: the broker is not running`));
    return this.#broker.publish(topic, payload, options.qos, options.retain);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.#broker = null;
  }
}
