// The `notifications` section: named Slack-compatible incoming webhooks (Slack, Mattermost,
// Rocket.Chat and Discord's /slack endpoint take the same {text, blocks} POST), each with the events
// it wants.
//   notifications:
//     slack: { url_env: SLACK_WEBHOOK, events: [lock.pending, lock.approved, build.failed, build.recovered] }

import type { Checked } from "@shipgate/protocol";
import * as z from "zod";
import { type ConfigSection, checkWith, context, integer, list, named, nullable, oneOf, optional, section, settings, text } from "../config-schema";

export const NOTIFY_EVENTS = ["lock.pending", "lock.approved", "lock.rejected", "lock.expired", "build.failed", "build.recovered"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const URL_TEXT = "must be an http:// or https:// URL";

const targetSchema = settings({
  url: nullable(text({ min: 1, max: 2000 }), { type: "URL", description: "the webhook's URL (or `url_env`)" }),
  url_env: nullable(text({ min: 1, max: 200 }), { type: "env name", description: "an environment variable holding the URL, which is a secret in Slack's case" }),
  events: optional(list(oneOf(NOTIFY_EVENTS), 20), [...NOTIFY_EVENTS], { type: "list of events", default: "all", description: `which to send: ${NOTIFY_EVENTS.map((e) => `\`${e}\``).join(", ")}` }),
  attempts: optional(integer(1, 10), 3, { type: "integer 1..10", description: "attempts per message, the first included" }),
  timeout_ms: optional(integer(100, 60_000), 5000, { type: "integer 100..60000", description: "per attempt (milliseconds)" }),
}).transform((t, issue) => {
  let url = t.url;
  if (url === null && t.url_env !== null) {
    url = context().env[t.url_env] ?? null;
    if (url === null || url === "") {
      issue.issues.push({ code: "custom", message: `environment variable ${t.url_env} is not set`, path: ["url_env"], input: t.url_env });
      return z.NEVER;
    }
  }
  if (url === null) {
    issue.issues.push({ code: "custom", message: "is required (or url_env naming an environment variable that holds it)", path: ["url"], input: undefined });
    return z.NEVER;
  }
  if (!/^https?:\/\//.test(url)) {
    issue.issues.push({ code: "custom", message: URL_TEXT, path: [t.url_env === null ? "url" : "url_env"], input: url });
    return z.NEVER;
  }
  return { url, events: t.events, attempts: t.attempts, timeout_ms: t.timeout_ms };
});

export const notificationsSchema = section(named(z.string(), targetSchema, "must map webhook names to their settings")).transform((map) =>
  Object.entries(map).map(([name, target]) => ({ name, ...target })),
);

export type NotifyTarget = z.output<typeof notificationsSchema>[number];

export const NOTIFICATIONS_SECTION: ConfigSection = {
  key: "notifications",
  document: "[ci.md](ci.md#configuration): chat webhooks and the events they get",
  schema: notificationsSchema,
};

export function checkNotificationsSection(value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<NotifyTarget[]> {
  return checkWith(notificationsSchema, value, at, { base: "/", env });
}
