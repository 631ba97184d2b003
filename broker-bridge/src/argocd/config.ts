// The `argocd` section of the bridge's config, checked at start (file, key and reason on error).
// Secrets never sit in the YAML itself: the token or password comes from an environment variable
// or a file named here, read once when the service starts (credentials.ts).

import type { Checked } from "@shipgate/protocol";
import * as z from "zod";
import { type ConfigSection, boolean, checkWith, duration, filePath, integer, item, list, nullable, optional, problem, required, settings, text } from "../config-schema";
import { type LabelSelector, parseSelector } from "./labels";

export type ArgoAuthConfig = { kind: "token"; env: string | null; file: string | null } | { kind: "password"; username: string; env: string | null; file: string | null };

/** Named defaults for every optional setting. */
export const ARGO_DEFAULTS = Object.freeze({
  approval_timeout_ms: 30 * 60_000,
  poll_interval_ms: 30_000,
  follow_interval_ms: 2_000,
  sync_timeout_ms: 10 * 60_000,
  result_ms: 30_000,
  stream_failures: 3,
  stream_retry_ms: 5 * 60_000,
  ack_wait_ms: 2_500,
  // The last four LEDs of ring B (24 LEDs); segments listed later draw over the CI segments.
  segment: Object.freeze({ start: 20, count: 4 }),
  timeout_ms: 10_000,
});

const ENV_NAME = { min: 1, max: 200, pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternText: "an environment variable name" };

function urlProblem(url: string): string | undefined {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) return "must be an http:// or https:// URL such as https://argocd.example.com";
  return undefined;
}

// Argo CD parses selectors server-side; checking them here fails at start instead of on every request.
const selector = () =>
  text({ min: 1, max: 500 }).transform((value, ctx) => {
    const parsed = parseSelector(value);
    if (!parsed.ok) ctx.issues.push({ code: "custom", message: parsed.error, input: value });
    return { text: value, selector: parsed.ok ? parsed.value : ({ requirements: [] } as LabelSelector) };
  });

const segmentSchema = settings({
  start: required(integer(0, 255), { type: "integer 0..255", description: "the first LED of ring B" }),
  count: required(integer(1, 256), { type: "integer 1..256", description: "how many LEDs" }),
});

const d = ARGO_DEFAULTS;

export const argoSchema = settings({
  url: required(text({ min: 1, max: 500 }).check(problem(urlProblem)), { type: "URL", description: "`http://` or `https://` base URL, no `/api`" }),
  token_env: nullable(text(ENV_NAME), { type: "env name", description: "an account API token (`argocd account generate-token --account shipgate`) in this variable" }),
  token_file: nullable(filePath(), { type: "file", description: "or in this file" }),
  username: nullable(text({ min: 1, max: 200 }), { type: "string", description: "a local account; `POST /api/v1/session` gives a session token, renewed before its JWT `exp` and on 401" }),
  password_env: nullable(text(ENV_NAME), { type: "env name", description: "its password in this variable" }),
  password_file: nullable(filePath(), { type: "file", description: "or in this file" }),
  projects: optional(list(item(253), 100), [], { type: "list of names", default: "all", description: "Argo CD `projects` filter for the list and the watch stream" }),
  selector: nullable(
    text({ min: 1, max: 500 }).check(
      problem((s: string) => {
        const p = parseSelector(s);
        return p.ok ? undefined : p.error;
      }),
    ),
    { type: "label selector", description: "Argo CD `selector` filter (label selector) for the list and the stream" },
  ),
  allow: optional(list(item(253), 200), [], { type: "list of globs", description: "app name globs (`*`, `?`) a gadget may sync; nothing is syncable until you list something" }),
  sync_selector: nullable(selector(), { type: "label selector", description: "label selector a synced app must also match (`k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`)" }),
  gadgets: optional(list(item(253), 100), [], { type: "list of ids", default: "all", description: "gadget ids whose hold syncs" }),
  require_approval: optional(boolean(), false, { type: "boolean", description: "each sync becomes a lock (pipeline `argocd`, step `sync <apps>`) that another person approves" }),
  approval_timeout: optional(duration(), d.approval_timeout_ms, { type: "duration", description: "that lock's timeout" }),
  poll_interval: optional(duration(), d.poll_interval_ms, { type: "duration", description: "list interval when the stream is not used" }),
  follow_interval: optional(duration(), d.follow_interval_ms, { type: "duration", description: "while a sync runs without the stream, how often its apps are fetched" }),
  sync_timeout: optional(duration(), d.sync_timeout_ms, { type: "duration", description: "an operation without a result after this shows as timed out" }),
  result_time: optional(duration(), d.result_ms, { type: "duration", description: 'how long "SYNCED ..." / "SYNC FAILED ..." stays on the display' }),
  stream_failures: optional(integer(1, 100), d.stream_failures, { type: "integer 1..100", description: "stream failures in a row before polling" }),
  stream_retry: optional(duration(), d.stream_retry_ms, { type: "duration", description: "while polling, how often the stream is tried again" }),
  ack_wait: optional(duration(), d.ack_wait_ms, { type: "duration", description: "longest wait for Argo CD's answers before the gadget is acked (its own ack timeout is 3 s)" }),
  segment: optional(
    segmentSchema,
    { ...d.segment },
    { type: "`{start, count}`", default: "`{start: 20, count: 4}`", description: 'ring B\'s LEDs for "out of sync" (the last four of the 24-LED ring, drawn over the CI segments)' },
  ),
  ca: nullable(filePath(), { type: "file", description: "a PEM CA file for a self-signed Argo CD" }),
  insecure: optional(boolean(), false, { type: "boolean", description: "skip TLS verification entirely (insecure)" }),
  timeout: optional(duration(), d.timeout_ms, { type: "duration", description: "time limit of one API request (the stream only has a connect limit)" }),
}).transform((c, issue) => {
  const auth = authOf(c);
  if (typeof auth === "object" && "problem" in auth) {
    issue.issues.push({ code: "custom", message: auth.problem, path: [auth.key], input: undefined });
    return z.NEVER;
  }
  return {
    url: c.url.replace(/\/+$/, ""),
    auth,
    projects: c.projects,
    selector: c.selector,
    allow: c.allow,
    sync_selector: c.sync_selector?.selector ?? null,
    sync_selector_text: c.sync_selector?.text ?? null,
    gadgets: c.gadgets,
    require_approval: c.require_approval,
    approval_timeout_ms: c.approval_timeout,
    poll_interval_ms: c.poll_interval,
    follow_interval_ms: c.follow_interval,
    sync_timeout_ms: c.sync_timeout,
    result_ms: c.result_time,
    stream_failures: c.stream_failures,
    stream_retry_ms: c.stream_retry,
    ack_wait_ms: c.ack_wait,
    segment: c.segment,
    ca: c.ca,
    insecure: c.insecure,
    timeout_ms: c.timeout,
  };
});

interface AuthKeys {
  token_env: string | null;
  token_file: string | null;
  username: string | null;
  password_env: string | null;
  password_file: string | null;
}

/** Exactly one way to log in: a token (from a variable or a file), or a user with a password. */
function authOf(c: AuthKeys): ArgoAuthConfig | { problem: string; key: string } {
  const hasToken = c.token_env !== null || c.token_file !== null;
  if (c.username !== null) {
    if (hasToken) return { key: "username", problem: "give either token_env/token_file or username with password_env/password_file, not both" };
    if ((c.password_env === null) === (c.password_file === null)) return { key: "password_env", problem: "username needs exactly one of password_env or password_file" };
    return { kind: "password", username: c.username, env: c.password_env, file: c.password_file };
  }
  if (c.password_env !== null || c.password_file !== null) return { key: "username", problem: "is required with password_env or password_file" };
  if ((c.token_env === null) === (c.token_file === null)) {
    return { key: "token_env", problem: "give exactly one of token_env or token_file (an Argo CD account API token), or username with password_env/password_file" };
  }
  return { kind: "token", env: c.token_env, file: c.token_file };
}

export type ArgoConfig = z.output<typeof argoSchema>;
export type ArgoSegment = ArgoConfig["segment"];

export const ARGOCD_SECTION: ConfigSection = {
  key: "argocd",
  document: "[argocd.md](argocd.md): the Argo CD server, applications, the sync button",
  schema: argoSchema,
};

/** Checks the raw `argocd` section; `base` resolves relative file paths (the config file's folder). */
export function checkArgoConfig(value: unknown, at: string, base: string): Checked<ArgoConfig> {
  return checkWith(argoSchema, value, at, { base, env: {} });
}
