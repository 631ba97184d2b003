// The `ci` section of the bridge's config, checked at start (sectionOf): every pipeline's provider
// exists, its keys are known, the secrets it names are in the environment. A bad key fails the
// start with the file, the key and the reason.

import { type Checked, Fields, isObject, joinPath, object, valid } from "@shipgate/protocol";
import { durationField, unknownKey } from "../config";
import { PROVIDERS } from "./providers/index";
import type { PipelineSettings } from "./providers/provider";
import { requireEnv } from "./providers/provider";

export interface WebhookSettings {
  /** GitHub: the webhook secret (HMAC-SHA256 key), from github.secret_env. */
  github_secret: string | null;
  /** GitLab: the X-Gitlab-Token value, from gitlab.token_env. */
  gitlab_token: string | null;
}

export interface CiSettings {
  /** Data older than this shows as unknown (ms). */
  freshness_ms: number;
  /** Requests kept back from every rate-limit budget. */
  reserve: number;
  /** Longest wait after failures (ms). */
  backoff_cap_ms: number;
  webhooks: WebhookSettings;
  pipelines: PipelineSettings[];
}

export const CI_DEFAULTS = Object.freeze({
  freshness_ms: 10 * 60_000,
  interval_ms: 60_000,
  timeout_ms: 10_000,
  reserve: 100,
  backoff_cap_ms: 15 * 60_000,
});

const COMMON_KEYS = ["provider", "base_url", "branch", "token_env", "interval", "timeout"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;



function checkPipeline(name: string, value: unknown, at: string, env: NodeJS.ProcessEnv, defaults: { interval: number; timeout: number }): Checked<PipelineSettings> {
  if (!NAME.test(name)) return { ok: false, field: at, error: "pipeline names are letters, digits, '_', '.' or '-'" };
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const kind = f.string("provider", { min: 1, max: 40 });
  if (f.failure) return f.failure;
  const definition = PROVIDERS.get(kind);
  if (definition === undefined) return { ok: false, field: joinPath(at, "provider"), error: `must be one of ${[...PROVIDERS.keys()].join(", ")}` };
  const unknown = unknownKey(value, at, [...COMMON_KEYS, ...definition.keys]);
  if (unknown) return unknown;
  const baseUrl = f.optionalString("base_url", { min: 1, max: 1000 }) ?? definition.defaultBaseUrl;
  if (baseUrl === null) return { ok: false, field: joinPath(at, "base_url"), error: `is required for ${kind} (self-hosted)` };
  if (!/^https?:\/\/[^\s]+$/.test(baseUrl)) return { ok: false, field: joinPath(at, "base_url"), error: "must be an http:// or https:// URL" };
  const branch = f.has("branch") ? f.string("branch", { min: 1, max: 250 }) : kind === "cctray" || kind === "bamboo" || kind === "concourse" ? null : "main";
  const token = requireEnv(f, at, "token_env", env);
  const interval = durationField(f, "interval", defaults.interval, at);
  const timeout = durationField(f, "timeout", defaults.timeout, at);
  const options = definition.check(f, at, env);
  return f.done(() => ({
    name, provider: kind, base_url: baseUrl.replace(/\/+$/, ""), branch, token, interval_ms: interval, timeout_ms: timeout, options,
  }));
}

export function checkCiSection(value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<CiSettings> {
  const empty: CiSettings = {
    freshness_ms: CI_DEFAULTS.freshness_ms, reserve: CI_DEFAULTS.reserve, backoff_cap_ms: CI_DEFAULTS.backoff_cap_ms,
    webhooks: { github_secret: null, gitlab_token: null }, pipelines: [],
  };
  if (value === undefined || value === null) return valid(empty);
  const unknown = unknownKey(value, at, ["freshness", "interval", "timeout", "reserve", "backoff_cap", "webhooks", "pipelines"]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const freshness = durationField(f, "freshness", CI_DEFAULTS.freshness_ms, at);
  const interval = durationField(f, "interval", CI_DEFAULTS.interval_ms, at);
  const timeout = durationField(f, "timeout", CI_DEFAULTS.timeout_ms, at);
  const cap = durationField(f, "backoff_cap", CI_DEFAULTS.backoff_cap_ms, at);
  const reserve = f.optionalInteger("reserve", 0, 100_000) ?? CI_DEFAULTS.reserve;
  const webhooks = f.nested("webhooks", (v, p) => checkWebhooks(v, p, env));
  if (f.failure) return f.failure;
  const raw = (value as Record<string, unknown>).pipelines ?? {};
  if (!isObject(raw)) return { ok: false, field: joinPath(at, "pipelines"), error: "must map pipeline names to their settings" };
  const pipelines: PipelineSettings[] = [];
  for (const [name, settings] of Object.entries(raw)) {
    const checked = checkPipeline(name, settings, joinPath(joinPath(at, "pipelines"), name), env, { interval, timeout });
    if (!checked.ok) return checked;
    pipelines.push(checked.value);
  }
  return valid({ freshness_ms: freshness, reserve, backoff_cap_ms: cap, webhooks: webhooks ?? empty.webhooks, pipelines });
}

function checkWebhooks(value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<WebhookSettings> {
  if (value === undefined || value === null) return valid({ github_secret: null, gitlab_token: null });
  const unknown = unknownKey(value, at, ["github", "gitlab"]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const github = f.nested("github", (v, p) => secretOf(v, p, "secret_env", env));
  const gitlab = f.nested("gitlab", (v, p) => secretOf(v, p, "token_env", env));
  return f.done(() => ({ github_secret: github ?? null, gitlab_token: gitlab ?? null }));
}

function secretOf(value: unknown, at: string, key: string, env: NodeJS.ProcessEnv): Checked<string | null> {
  if (value === undefined || value === null) return valid(null);
  const unknown = unknownKey(value, at, [key]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  if (!f.has(key)) return { ok: false, field: joinPath(at, key), error: "is required: the environment variable holding the secret" };
  const secret = requireEnv(f, at, key, env);
  return f.done(() => secret);
}
