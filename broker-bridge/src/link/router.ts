// Dispatches inbound messages to the handlers whose filters match; a throwing handler is logged,
// never allowed to take the bridge down with it.
import type { Logger } from "pino";
import type { InboundMessage, MessageHandler } from "./link";
import { topicMatches } from "./topic-filter";

export class Router {
  readonly #routes: { filter: string; handler: MessageHandler }[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(filter: string, handler: MessageHandler): void {
    this.#routes.push({ filter, handler });
  }

  get filters(): string[] {
    return this.#routes.map((r) => r.filter);
  }

  wants(topic: string): boolean {
    return this.#routes.some((r) => topicMatches(r.filter, topic));
  }

  dispatch(message: InboundMessage): void {
    for (const route of this.#routes) {
      if (!topicMatches(route.filter, message.topic)) continue;
      try {
        route.handler(message);
      } catch (err) {
        this.#log.error({ err, topic: message.topic }, "handler failed on a message; the message was dropped by that handler only");
      }
    }
  }
}
