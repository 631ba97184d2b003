// Notifications to Slack-compatible incoming webhooks: a lock waiting for approval, a decision,
// a pipeline that failed or recovered. Each webhook lists the events it wants. The service only
// subscribes to the bus; gates and pollers do not know it exists.

import type { LockState } from "@shipgate/protocol";
import "../build-events";
import type { PipelineResultChange } from "../build-events";
import type { Fetch } from "../http/http-client";
import { sectionOf } from "../config";
import type { Service, ServiceContext } from "../service";
import { type NotifyEvent, checkNotificationsSection } from "./notify-config";
import { type SlackMessage, WebhookSender } from "./webhook-sender";

export interface NotifyServiceOptions {
  fetch?: Fetch;
  env?: NodeJS.ProcessEnv;
}

/** Locks already announced as pending (lock:changed repeats for position changes). */
const ANNOUNCED_LIMIT = 2000;

export function lockMessage(event: NotifyEvent, lock: LockState): SlackMessage {
  const what = `${lock.pipeline} ${lock.step}${lock.summary ? ` (${lock.summary})` : ""}`;
  const text =
    event === "lock.pending"
      ? `:hourglass: Waiting for approval: ${what}${lock.position !== null ? `, #${lock.position} in the queue` : ""}`
      : event === "lock.approved"
        ? `:white_check_mark: Approved by ${lock.decided_by ?? "someone"}: ${what}`
        : event === "lock.rejected"
          ? `:no_entry: Rejected by ${lock.decided_by ?? "someone"}: ${what}${lock.reason ? ` (${lock.reason})` : ""}`
          : `:alarm_clock: Expired without a decision: ${what}`;
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

export function buildMessage(event: "build.failed" | "build.recovered", change: PipelineResultChange): SlackMessage {
  const link = change.url === null ? "" : ` <${change.url}|details>`;
  const text =
    event === "build.failed"
      ? `:red_circle: ${change.pipeline} is failing${change.failing.length > 0 && change.failing[0] !== "" ? ` (${change.failing.join(", ")})` : ""}${link}`
      : `:large_green_circle: ${change.pipeline} recovered${link}`;
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

export class NotifyService implements Service {
  readonly name = "notifications";
  readonly #options: NotifyServiceOptions;
  readonly #senders: { sender: WebhookSender; events: Set<NotifyEvent> }[] = [];
  readonly #announced = new Set<string>();

  constructor(options: NotifyServiceOptions = {}) {
    this.#options = options;
  }

  start(ctx: ServiceContext): void {
    const targets = sectionOf(ctx.config, "notifications", (v, p) => checkNotificationsSection(v, p, this.#options.env ?? process.env));
    for (const t of targets) {
      this.#senders.push({ sender: new WebhookSender(t.name, t.url, t.attempts, t.timeout_ms, ctx.clock, ctx.log, this.#options.fetch), events: new Set(t.events) });
    }
    if (this.#senders.length === 0) return;
    ctx.bus.on("lock:changed", ({ lock }) => {
      if (lock.state !== "pending" || this.#announced.has(lock.id)) return;
      this.#announced.add(lock.id);
      if (this.#announced.size > ANNOUNCED_LIMIT) this.#announced.delete(this.#announced.values().next().value as string);
      this.#emit("lock.pending", lockMessage("lock.pending", lock));
    });
    ctx.bus.on("lock:decided", ({ lock }) => {
      const event = lock.state === "approved" ? "lock.approved" : lock.state === "rejected" ? "lock.rejected" : lock.state === "expired" ? "lock.expired" : null;
      if (event !== null) this.#emit(event, lockMessage(event, lock));
    });
    ctx.bus.on("ci:result", (change) => {
      if (change.after === "failing" && change.before !== "failing") this.#emit("build.failed", buildMessage("build.failed", change));
      if (change.after === "passing" && change.before === "failing") this.#emit("build.recovered", buildMessage("build.recovered", change));
    });
    ctx.status.register("notifications", () => this.#senders.map(({ sender, events }) => ({ name: sender.name, events: [...events], sent: sender.sent, dropped: sender.dropped })));
  }

  async idle(): Promise<void> {
    await Promise.all(this.#senders.map((s) => s.sender.idle()));
  }

  stop(): void {
    for (const s of this.#senders) s.sender.stop();
  }

  #emit(event: NotifyEvent, message: SlackMessage): void {
    for (const { sender, events } of this.#senders) if (events.has(event)) sender.send(message);
  }
}
