// What a CI/CD provider is to the bridge: a definition that checks its own config keys and builds
// a poller-facing object whose poll() answers the normalized PollResult, and, when the provider can
// push, its webhook (POST /hooks/<kind>). Adding a provider is one file like github.ts, one line in
// index.ts, and its test (which runs the shared contract, test/ci-provider-contract.test.ts, with its fake).

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Fields } from "@shipgate/protocol";
import { type CiHttp, CiHttpError } from "../../http/http-client";
import type { Build, Deployment, PollResult } from "../../builds";

export interface PipelineSettings<O = unknown> {
  /** The pipeline's config name (ci.pipelines.<name>). */
  name: string;
  provider: string;
  /** API root without a trailing slash (GitHub Enterprise, self-hosted GitLab, a loopback fake). */
  base_url: string;
  /** The branch watched; null when the provider or config has none. */
  branch: string | null;
  /** The secret named by token_env, read at start. */
  token: string | null;
  /** Poll interval (ms). */
  interval_ms: number;
  /** Per request timeout (ms). */
  timeout_ms: number;
  options: O;
}

export interface ProviderDeps {
  http: CiHttp;
  /** Milliseconds since the epoch (token expiry, Codeship). */
  now(): number;
  env: NodeJS.ProcessEnv;
}

export interface CiProvider {
  poll(): Promise<PollResult>;
}

export interface ProviderDefinition<O = unknown> {
  kind: string;
  /** The public API root; null when base_url is required (self-hosted only). */
  defaultBaseUrl: string | null;
  /** Keys this provider reads, besides the common ones (provider, base_url, branch, token_env,
   *  interval, timeout). */
  keys: readonly string[];
  /** Reads its keys; failures are recorded on f (f.failure). */
  check(f: Fields, at: string, env: NodeJS.ProcessEnv): O;
  create(pipeline: PipelineSettings<O>, deps: ProviderDeps): CiProvider;
  /** Push as well as poll: the provider's webhook, served when its secret is configured. */
  webhook?: WebhookSupport;
}

/** What one webhook delivery brings for one pipeline. */
export interface Delivery {
  pipeline: string;
  builds: Build[];
  deployments: Deployment[];
}

export type HeaderValue = string | string[] | undefined;
export type RequestHeaders = Readonly<Record<string, HeaderValue>>;

/** A provider's webhook: how a delivery proves itself, and what it says about which pipelines. */
export interface WebhookSupport {
  /** Why the delivery is not believed (refused with 401), or null when it proves the secret. */
  verify(secret: string, body: Buffer, headers: RequestHeaders): { audit: string; answer: string } | null;
  /** The delivery's own id, when the provider redelivers (a repeat is answered but not applied). */
  deliveryId?(headers: RequestHeaders): string | undefined;
  /** The event a delivery carries; one that only checks the hook (GitHub's ping) is in `pings`. */
  event(headers: RequestHeaders): string;
  pings?: readonly string[];
  /** The builds and deployments a verified delivery carries, per pipeline of this provider. */
  deliveries(event: string, payload: unknown, pipelines: readonly PipelineSettings[]): Delivery[];
}

export function firstHeader(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Helper for definitions: keeps the option type when the table erases it. */
export function defineProvider<O>(definition: ProviderDefinition<O>): ProviderDefinition<O> {
  return definition;
}

export function requireEnv(f: Fields, at: string, key: string, env: NodeJS.ProcessEnv): string | null {
  const name = f.optionalString(key, { min: 1, max: 200 });
  if (name === undefined) return null;
  const value = env[name];
  if (value === undefined || value === "") {
    f.failure ??= { ok: false, field: `${at}.${key}`, error: `environment variable ${name} is not set` };
    return null;
  }
  return value;
}

export function stringList(f: Fields, key: string, max = 50): string[] {
  if (!f.has(key)) return [];
  return f.array(key, max, (v, p) => (typeof v === "string" && v.length > 0 && v.length <= 200 ? { ok: true, value: v } : { ok: false, field: p, error: "must be a non-empty string" }));
}

/** Path segments of a URL, each encoded (a GitLab project path "acme/web" becomes acme%2Fweb). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export function authBearer(token: string | null): Record<string, string> {
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function rec(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A JSON answer without the array we asked for is as bad as garbage: an empty history would
 *  otherwise look like "no builds". */
export function listAt(body: unknown, key: string | null, url: string): unknown[] {
  const value = key === null ? body : rec(body)[key];
  if (!Array.isArray(value)) throw new CiHttpError("body", "GET", url, 200, `answer has no ${key === null ? "array" : `"${key}" array`}`);
  return value;
}

/** Compare secrets without leaking their length or prefix through timing. */
export function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHmac("sha256", "shipgate").update(expected).digest();
  const b = createHmac("sha256", "shipgate").update(given).digest();
  return timingSafeEqual(a, b);
}
