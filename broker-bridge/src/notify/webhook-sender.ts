// Delivers messages to one incoming webhook, in order, with bounded retries: a message that still
// fails after its attempts is dropped and logged, and the queue is bounded (oldest dropped first),
// so a dead chat server never grows memory or blocks a decision.

import type { Clock } from "../clock";
import { CiHttp, type Fetch } from "../http/http-client";
import { backoffDelay } from "@shipgate/protocol";
import type { Logger } from "../log";

/** Full jitter up to 500 ms doubling to 10 s, never under 100 ms (protocol/src/backoff.ts). */
const WEBHOOK_RETRY = Object.freeze({ initialMs: 500, maxMs: 10_000, jitter: 1, floorMs: 100 });

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

export const QUEUE_LIMIT = 100;

export class WebhookSender {
  readonly #queue: SlackMessage[] = [];
  readonly #http: CiHttp;
  #busy: Promise<void> | null = null;
  #stopped = false;
  sent = 0;
  dropped = 0;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly attempts: number,
    timeoutMs: number,
    readonly clock: Clock,
    readonly log: Logger,
    fetchImpl?: Fetch,
  ) {
    this.#http = new CiHttp({ fetch: fetchImpl, timeoutMs, now: () => clock.now() });
  }

  send(message: SlackMessage): void {
    if (this.#stopped) return;
    this.#queue.push(message);
    while (this.#queue.length > QUEUE_LIMIT) {
      this.#queue.shift();
      this.dropped++;
      this.log.warn({ webhook: this.name }, "notification queue full: oldest message dropped");
    }
    if (this.#busy === null) this.#busy = this.#drain().finally(() => (this.#busy = null));
  }

  async idle(): Promise<void> {
    while (this.#busy !== null) await this.#busy;
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  async #drain(): Promise<void> {
    for (let message = this.#queue.shift(); message !== undefined && !this.#stopped; message = this.#queue.shift()) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#http.post(this.url, JSON.stringify(message), { "Content-Type": "application/json" });
          this.sent++;
          break;
        } catch (err) {
          if (attempt >= this.attempts || this.#stopped) {
            this.dropped++;
            this.log.warn({ webhook: this.name, err: (err as Error).message, attempts: attempt }, "notification not delivered");
            break;
          }
          await new Promise<void>((resolve) => this.clock.setTimeout(resolve, backoffDelay(attempt, WEBHOOK_RETRY, Math.random()), "notify-retry"));
        }
      }
    }
  }
}
