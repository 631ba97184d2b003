// The GitHub REST calls the app makes, as the app (JWT) and as an installation (token):
//   POST /app/installations/{id}/access_tokens   -> {token, expires_at}; cached until a minute
//                                                   before it expires
//   POST <deployment_callback_url>               review a deployment protection rule
//        (= /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule)
// 5xx answers, 429 and network errors are retried with the shared backoff (protocol/src/
// backoff.ts); other 4xx are final. Every error names method, URL and status and keeps its cause.

import { Backoff } from "@shipgate/protocol";
import { appJwt } from "./app-jwt";
import type { GitHubAppSettings } from "./github-app-config";

export class GitHubApiError extends Error {
  readonly code = "GITHUB_API";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number | null,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${method} ${url} ${status === null ? "failed" : `answered ${status}`}: ${detail}`, options);
    this.name = "GitHubApiError";
  }

  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

export interface GitHubApiOptions {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per call, the first included. */
  attempts?: number;
  random?: () => number;
}

const HEADERS = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "shipgate-bridge" };

export class GitHubApi {
  readonly #settings: GitHubAppSettings;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #attempts: number;
  readonly #random: () => number;
  readonly #tokens = new Map<number, { token: string; expiresAt: number }>();

  constructor(settings: GitHubAppSettings, options: GitHubApiOptions = {}) {
    this.#settings = settings;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.#attempts = options.attempts ?? 6;
    this.#random = options.random ?? Math.random;
  }

  /** An installation access token, from the cache while it has more than a minute left. */
  async installationToken(installationId: number): Promise<string> {
    const cached = this.#tokens.get(installationId);
    if (cached !== undefined && cached.expiresAt - 60_000 > this.#now()) return cached.token;
    const url = `${this.#settings.apiUrl}/app/installations/${installationId}/access_tokens`;
    const body = await this.#call("POST", url, () => `Bearer ${appJwt(this.#settings.appId, this.#settings.privateKey, this.#now())}`, undefined);
    const { token, expires_at } = (body ?? {}) as { token?: unknown; expires_at?: unknown };
    const expiresAt = typeof expires_at === "string" ? Date.parse(expires_at) : Number.NaN;
    if (typeof token !== "string" || token === "" || Number.isNaN(expiresAt)) throw new GitHubApiError("POST", url, 201, "the answer has no token and expires_at");
    this.#tokens.set(installationId, { token, expiresAt });
    return token;
  }

  /** Approves or rejects a waiting deployment through its callback URL. */
  async reviewDeployment(installationId: number, callbackUrl: string, review: { environment_name: string; state: "approved" | "rejected"; comment: string }): Promise<void> {
    // The token is fetched (with its own retries) once, outside this call's retries.
    const token = await this.installationToken(installationId);
    await this.#call("POST", callbackUrl, () => `Bearer ${token}`, review);
  }

  /** One call with retries; auth() is asked again per attempt (a JWT is fresh each time). */
  async #call(method: string, url: string, auth: () => string, body: unknown): Promise<unknown> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.25, floorMs: 100 }, this.#random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(method, url, auth(), body);
      } catch (err) {
        const retryable = err instanceof GitHubApiError ? err.retryable : false;
        if (!retryable || attempt >= this.#attempts) throw err;
        await this.#sleep(backoff.next());
      }
    }
  }

  async #once(method: string, url: string, authorization: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers: { ...HEADERS, authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new GitHubApiError(method, url, null, (err as Error).message, { cause: err });
    }
    const text = await res.text().catch(() => "");
    if (!res.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new GitHubApiError(method, url, res.status, message || res.statusText);
    }
    if (text === "") return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new GitHubApiError(method, url, res.status, "the answer is not JSON", { cause: err });
    }
  }
}
