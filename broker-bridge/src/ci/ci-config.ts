// The `ci` section of the bridge's config, checked at start (sectionOf): every pipeline's provider
// exists, its keys are known, the secrets it names are in the environment. A bad key fails the
// start with the file, the key and the reason. The common keys are described here; each provider's
// own keys are checked by its definition (providers/*.ts).

import { type Checked, Fields, type JsonObject } from "@shipgate/protocol";
import * as z from "zod";
import { type ConfigSection, checkWith, context, duration, integer, named, nullable, optional, section, secretFromEnv, settings, text } from "../config-schema";
import { PROVIDERS } from "./providers/index";
import type { PipelineSettings } from "./providers/provider";

export const CI_DEFAULTS = Object.freeze({
  freshness_ms: 10 * 60_000,
  interval_ms: 60_000,
  timeout_ms: 10_000,
  reserve: 100,
  backoff_cap_ms: 15 * 60_000,
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Providers without a branch of their own (a feed, a plan, a pipeline of jobs). */
const BRANCHLESS = ["cctray", "bamboo", "concourse"];

const PIPELINE_KEYS = {
  provider: optional(text({ min: 1, max: 40 }), "", { type: "provider", default: "required", description: `one of ${[...PROVIDERS.keys()].map((k) => `\`${k}\``).join(", ")}` }),
  base_url: nullable(text({ min: 1, max: 1000 }), {
    type: "URL",
    default: "the provider's",
    description: "API root (GitHub Enterprise, self-hosted GitLab, a test fake); required for self-hosted providers",
  }),
  branch: nullable(text({ min: 1, max: 250 }), { type: "string", default: "`main`", description: "the branch watched (none for cctray, bamboo, concourse)" }),
  token_env: nullable(secretFromEnv(), { type: "env name", description: "the environment variable holding the credential" }),
  interval: nullable(duration(), { type: "duration", default: "`ci.interval`", description: "this pipeline's poll interval" }),
  timeout: nullable(duration(), { type: "duration", default: "`ci.timeout`", description: "this pipeline's per-request timeout" }),
};
const known = Object.keys(PIPELINE_KEYS);

const pipelineSchema = z.looseObject(PIPELINE_KEYS, { error: (issue) => (issue.input === undefined ? "is required" : "must be a JSON object") }).transform((p, issue) => {
  const fail = (key: string, message: string) => {
    issue.issues.push({ code: "custom", message, path: key.split(".").filter((s) => s !== ""), input: p });
    return z.NEVER;
  };
  if (p.provider === "") return fail("provider", "is required");
  const definition = PROVIDERS.get(p.provider);
  if (definition === undefined) return fail("provider", `must be one of ${[...PROVIDERS.keys()].join(", ")}`);
  const allowed = [...known, ...definition.keys];
  const unknown = Object.keys(p).find((k) => !allowed.includes(k));
  if (unknown !== undefined) return fail(unknown, `is not a known setting (known: ${allowed.join(", ")})`);
  const baseUrl = p.base_url ?? definition.defaultBaseUrl;
  if (baseUrl === null) return fail("base_url", `is required for ${p.provider} (self-hosted)`);
  if (!/^https?:\/\/[^\s]+$/.test(baseUrl)) return fail("base_url", "must be an http:// or https:// URL");
  // The provider reads its own keys with protocol/'s Fields; its failure's path is under "".
  const f = new Fields(p as JsonObject, "");
  const options = definition.check(f, "", context().env);
  if (f.failure !== undefined) return fail(f.failure.field, f.failure.error);
  return {
    provider: p.provider,
    base_url: baseUrl.replace(/\/+$/, ""),
    branch: p.branch ?? (BRANCHLESS.includes(p.provider) ? null : "main"),
    token: p.token_env,
    interval_ms: p.interval,
    timeout_ms: p.timeout,
    options,
  };
});

/** A webhook's secret: the environment variable holding it, which must be set. */
const webhookSecret = (key: string, description: string) =>
  nullable(
    settings({
      [key]: z
        .preprocess((v) => v ?? undefined, z.unknown())
        .superRefine((v, issue) => {
          if (v === undefined) issue.addIssue({ code: "custom", message: "is required: the environment variable holding the secret" });
        })
        .pipe(secretFromEnv())
        .meta({ setting: { type: "env name", default: "required", description: "the environment variable holding the secret; it must be set" } }),
    }).transform((w) => w[key] as string),
    { type: `\`{${key}}\``, description },
  );

export const ciSchema = section(
  settings({
    freshness: optional(duration(), CI_DEFAULTS.freshness_ms, { type: "duration", description: "older data shows as unknown" }),
    interval: optional(duration(), CI_DEFAULTS.interval_ms, { type: "duration", description: "default poll interval for every pipeline" }),
    timeout: optional(duration(), CI_DEFAULTS.timeout_ms, { type: "duration", description: "default per-request timeout" }),
    reserve: optional(integer(0, 100_000), CI_DEFAULTS.reserve, { type: "integer 0..100000", description: "requests kept back from every rate-limit budget" }),
    backoff_cap: optional(duration(), CI_DEFAULTS.backoff_cap_ms, { type: "duration", description: "longest wait after failures" }),
    webhooks: optional(
      section(
        settings({
          github: webhookSecret("secret_env", "GitHub: the variable holding the webhook secret (HMAC-SHA256 key); enables `POST /hooks/github`"),
          gitlab: webhookSecret("token_env", "GitLab: the variable holding the `X-Gitlab-Token` value; enables `POST /hooks/gitlab`"),
        }),
      ),
      { github: null, gitlab: null },
      { type: "mapping", description: "providers that push instead of being polled" },
    ),
    pipelines: optional(
      named(z.string().regex(NAME, { error: "pipeline names are letters, digits, '_', '.' or '-'" }), pipelineSchema, "must map pipeline names to their settings"),
      {},
      {
        type: "map",
        description: "pipeline names (what gadgets watch) to their provider and keys",
      },
    ),
  }),
).transform((s) => ({
  freshness_ms: s.freshness,
  reserve: s.reserve,
  backoff_cap_ms: s.backoff_cap,
  webhooks: { github_secret: s.webhooks.github, gitlab_token: s.webhooks.gitlab },
  pipelines: Object.entries(s.pipelines).map(
    ([name, p]): PipelineSettings => ({
      name,
      ...p,
      interval_ms: p.interval_ms ?? s.interval,
      timeout_ms: p.timeout_ms ?? s.timeout,
    }),
  ),
}));

export type CiSettings = z.output<typeof ciSchema>;
export type WebhookSettings = CiSettings["webhooks"];

export const CI_SECTION: ConfigSection = { key: "ci", document: "[ci.md](ci.md): CI providers, what is polled, webhooks", schema: ciSchema };

export function checkCiSection(value: unknown, at: string, env: NodeJS.ProcessEnv): Checked<CiSettings> {
  return checkWith(ciSchema, value, at, { base: "/", env });
}
