// The `argocd` section of the bridge's config, checked at start (file, key and reason on error).
// Secrets never sit in the YAML itself: the token or password comes from an environment variable
// or a file named here, read once when the service starts (credentials.ts).

import path from "node:path";
import { type Checked, Fields, isObject, joinPath, object, valid } from "@shipgate/protocol";
import { durationField, unknownKey } from "../config";
import { type LabelSelector, parseSelector } from "./labels";

export type ArgoAuthConfig =
  | { kind: "token"; env: string | null; file: string | null }
  | { kind: "password"; username: string; env: string | null; file: string | null };

export interface ArgoSegment {
  /** First LED of ring B that lights amber when apps are out of sync. */
  start: number;
  count: number;
}

export interface ArgoConfig {
  /** Argo CD's base URL, e.g. https://argocd.example.com (no trailing /api). */
  url: string;
  auth: ArgoAuthConfig;
  /** Projects to watch (Argo CD filters server-side); empty means all the account may see. */
  projects: string[];
  /** Label selector for the watched apps, passed to Argo CD as is. */
  selector: string | null;
  /** App name globs a gadget may sync; empty means none (syncing must be allowed explicitly). */
  allow: string[];
  /** A further label selector the synced apps must match (checked by the bridge). */
  sync_selector: LabelSelector | null;
  sync_selector_text: string | null;
  /** Gadgets whose sync button may sync; empty means every gadget. */
  gadgets: string[];
  /** Route every sync through the gates as a lock, so a second person approves it. */
  require_approval: boolean;
  /** Lock timeout for approvals (ms). */
  approval_timeout_ms: number;
  /** Poll interval (ms) when the stream is down, and the follow interval while syncing without it. */
  poll_interval_ms: number;
  follow_interval_ms: number;
  /** Give up following an operation after this long (ms). */
  sync_timeout_ms: number;
  /** How long a finished sync's result stays on the display (ms). */
  result_ms: number;
  /** Consecutive stream failures before falling back to polling. */
  stream_failures: number;
  /** While polling, how often to try the stream again (ms). */
  stream_retry_ms: number;
  /** Wait at most this long (ms) for Argo CD's answers before acking the gadget (its ack timeout is 3 s). */
  ack_wait_ms: number;
  segment: ArgoSegment;
  /** PEM CA file for a self-signed Argo CD, or skip verification entirely (insecure). */
  ca: string | null;
  insecure: boolean;
  /** Request timeout for plain API calls (ms). */
  timeout_ms: number;
}

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

const KEYS = [
  "url", "token_env", "token_file", "username", "password_env", "password_file", "projects", "selector", "allow",
  "sync_selector", "gadgets", "require_approval", "approval_timeout", "poll_interval", "follow_interval", "sync_timeout",
  "result_time", "stream_failures", "stream_retry", "ack_wait", "segment", "ca", "insecure", "timeout",
];

const ENV_NAME = { min: 1, max: 200, pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternText: "an environment variable name" };

function stringItem(value: unknown, at: string): Checked<string> {
  if (typeof value !== "string" || value.length === 0 || value.length > 253) return { ok: false, field: at, error: "must be a non-empty string" };
  return valid(value);
}


function checkSegment(value: unknown, at: string): Checked<ArgoSegment> {
  if (value === undefined || value === null) return valid({ ...ARGO_DEFAULTS.segment });
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const start = f.integer("start", 0, 255);
  const count = f.integer("count", 1, 256);
  return f.done(() => ({ start, count }));
}

/** Checks the raw `argocd` section; `base` resolves relative file paths (the config file's folder). */
export function checkArgoConfig(value: unknown, at: string, base: string): Checked<ArgoConfig> {
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const unknown = unknownKey(value, at, KEYS);
  if (unknown) return unknown;
  const url = f.string("url", { min: 1, max: 500 });
  if (f.failure === undefined) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (parsed === null || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
      return { ok: false, field: joinPath(at, "url"), error: "must be an http:// or https:// URL such as https://argocd.example.com" };
    }
  }
  const file = (key: string) => {
    const v = f.optionalString(key, { min: 1, max: 1000 });
    return v === undefined ? null : path.resolve(base, v);
  };
  const tokenEnv = f.optionalString("token_env", ENV_NAME) ?? null;
  const tokenFile = file("token_file");
  const username = f.optionalString("username", { min: 1, max: 200 }) ?? null;
  const passwordEnv = f.optionalString("password_env", ENV_NAME) ?? null;
  const passwordFile = file("password_file");
  if (f.failure) return f.failure;
  let auth: ArgoAuthConfig;
  const hasToken = tokenEnv !== null || tokenFile !== null;
  if (username !== null) {
    if (hasToken) return { ok: false, field: joinPath(at, "username"), error: "give either token_env/token_file or username with password_env/password_file, not both" };
    if ((passwordEnv === null) === (passwordFile === null)) {
      return { ok: false, field: joinPath(at, "password_env"), error: "username needs exactly one of password_env or password_file" };
    }
    auth = { kind: "password", username, env: passwordEnv, file: passwordFile };
  } else {
    if (passwordEnv !== null || passwordFile !== null) return { ok: false, field: joinPath(at, "username"), error: "is required with password_env or password_file" };
    if ((tokenEnv === null) === (tokenFile === null)) {
      return { ok: false, field: joinPath(at, "token_env"), error: "give exactly one of token_env or token_file (an Argo CD account API token), or username with password_env/password_file" };
    }
    auth = { kind: "token", env: tokenEnv, file: tokenFile };
  }

  const projects = f.has("projects") ? f.array("projects", 100, stringItem) : [];
  const selector = f.optionalString("selector", { min: 1, max: 500 }) ?? null;
  if (selector !== null && f.failure === undefined) {
    // Argo CD parses it server-side; checking it here fails at start instead of on every request.
    const parsed = parseSelector(selector);
    if (!parsed.ok) return { ok: false, field: joinPath(at, "selector"), error: parsed.error };
  }
  const allow = f.has("allow") ? f.array("allow", 200, stringItem) : [];
  const syncSelectorText = f.optionalString("sync_selector", { min: 1, max: 500 }) ?? null;
  let syncSelector: LabelSelector | null = null;
  if (syncSelectorText !== null && f.failure === undefined) {
    const parsed = parseSelector(syncSelectorText);
    if (!parsed.ok) return { ok: false, field: joinPath(at, "sync_selector"), error: parsed.error };
    syncSelector = parsed.value;
  }
  const gadgets = f.has("gadgets") ? f.array("gadgets", 100, stringItem) : [];
  const requireApproval = f.has("require_approval") ? f.boolean("require_approval") : false;
  const approvalTimeout = durationField(f, "approval_timeout", ARGO_DEFAULTS.approval_timeout_ms, at);
  const pollInterval = durationField(f, "poll_interval", ARGO_DEFAULTS.poll_interval_ms, at);
  const followInterval = durationField(f, "follow_interval", ARGO_DEFAULTS.follow_interval_ms, at);
  const syncTimeout = durationField(f, "sync_timeout", ARGO_DEFAULTS.sync_timeout_ms, at);
  const resultMs = durationField(f, "result_time", ARGO_DEFAULTS.result_ms, at);
  const streamFailures = f.optionalInteger("stream_failures", 1, 100) ?? ARGO_DEFAULTS.stream_failures;
  const streamRetry = durationField(f, "stream_retry", ARGO_DEFAULTS.stream_retry_ms, at);
  const ackWait = durationField(f, "ack_wait", ARGO_DEFAULTS.ack_wait_ms, at);
  const segment = f.nested("segment", checkSegment) ?? { ...ARGO_DEFAULTS.segment };
  const ca = file("ca");
  const insecure = f.has("insecure") ? f.boolean("insecure") : false;
  const timeout = durationField(f, "timeout", ARGO_DEFAULTS.timeout_ms, at);
  return f.done(() => ({
    url: url.replace(/\/+$/, ""),
    auth,
    projects,
    selector,
    allow,
    sync_selector: syncSelector,
    sync_selector_text: syncSelectorText,
    gadgets,
    require_approval: requireApproval,
    approval_timeout_ms: approvalTimeout,
    poll_interval_ms: pollInterval,
    follow_interval_ms: followInterval,
    sync_timeout_ms: syncTimeout,
    result_ms: resultMs,
    stream_failures: streamFailures,
    stream_retry_ms: streamRetry,
    ack_wait_ms: ackWait,
    segment,
    ca,
    insecure,
    timeout_ms: timeout,
  }));
}
