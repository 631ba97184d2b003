// The `notifications` section: named Slack-compatible incoming webhooks (Slack, Mattermost,
// Rocket.Chat and Discord's /slack endpoint take the same {text, blocks} POST), each with the events
// it wants.
//   notifications:
//     slack: { url_env: SLACK_WEBHOOK, events: [lock.pending, lock.approved, build.failed, build.recovered] }

import { type Checked, Fields, isObject, joinPath, object, valid } from "@shipgate/protocol";
import { unknownKey } from "../config";

export const NOTIFY_EVENTS = ["lock.pending", "lock.approved", "lock.rejected", "lock.expired", "build.failed", "build.recovered"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface NotifyTarget {
  name: string;
  url: string;
  events: NotifyEvent[];
  /** Attempts per message, the first included. */
  attempts: number;
  timeout_ms: number;
}

function checkTarget(name: string, value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<NotifyTarget> {
  const unknown = unknownKey(value, at, ["url", "url_env", "events", "attempts", "timeout_ms"]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  let url = f.optionalString("url", { min: 1, max: 2000 });
  const urlEnv = f.optionalString("url_env", { min: 1, max: 200 });
  if (url === undefined && urlEnv !== undefined) {
    url = env[urlEnv];
    if (url === undefined || url === "") return { ok: false, field: joinPath(at, "url_env"), error: `environment variable ${urlEnv} is not set` };
  }
  if (url === undefined) return { ok: false, field: joinPath(at, "url"), error: "is required (or url_env naming an environment variable that holds it)" };
  if (!/^https?:\/\//.test(url)) return { ok: false, field: joinPath(at, urlEnv === undefined ? "url" : "url_env"), error: "must be an http:// or https:// URL" };
  const events = f.has("events")
    ? f.array("events", 20, (v, p) => (NOTIFY_EVENTS.includes(v as NotifyEvent) ? valid(v as NotifyEvent) : { ok: false, field: p, error: `must be one of ${NOTIFY_EVENTS.join(", ")}` }))
    : [...NOTIFY_EVENTS];
  const attempts = f.optionalInteger("attempts", 1, 10) ?? 3;
  const timeout = f.optionalInteger("timeout_ms", 100, 60_000) ?? 5000;
  const resolved = url;
  return f.done(() => ({ name, url: resolved, events, attempts, timeout_ms: timeout }));
}

export function checkNotificationsSection(value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<NotifyTarget[]> {
  if (value === undefined || value === null) return valid([]);
  if (!isObject(value)) return { ok: false, field: at, error: "must map webhook names to their settings" };
  const out: NotifyTarget[] = [];
  for (const [name, settings] of Object.entries(value)) {
    const checked = checkTarget(name, settings, joinPath(at, name), env);
    if (!checked.ok) return checked;
    out.push(checked.value);
  }
  return valid(out);
}
