// The one HTTP client every provider uses: fetch is injected (tests count requests on loopback
// fakes), every request has a timeout, GETs are conditional (ETag / If-None-Match; a 304 reuses the
// cached body and, on GitHub, costs nothing against the rate limit), and every failure is one
// CiHttpError naming the method, the URL and the status, with the cause kept.

import { type RateLimit, readRateLimit, readRetryAfter } from "./rate-budget";

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export type CiHttpErrorKind = "status" | "timeout" | "network" | "body";

export class CiHttpError extends Error {
  readonly code = "CI_HTTP";
  constructor(
    readonly kind: CiHttpErrorKind,
    readonly method: string,
    readonly url: string,
    /** HTTP status, or null when no answer came (timeout, network). */
    readonly status: number | null,
    detail: string,
    /** Rate-limit state read from the failed answer's headers, if any. */
    readonly rateLimit: RateLimit | null = null,
    /** Milliseconds to wait, from a retry-after header. */
    readonly retryAfterMs: number | null = null,
    options?: ErrorOptions,
  ) {
    super(`${method} ${redact(url)}${status === null ? "" : ` answered ${status}`}: ${detail}`, options);
    this.name = "CiHttpError";
  }

  /** A 403/429 that says the token's budget ran out (GitHub docs: "primary/secondary rate limit"). */
  get rateLimited(): boolean {
    if (this.status === 429) return true;
    return this.status === 403 && (this.retryAfterMs !== null || this.rateLimit?.remaining === 0);
  }
}

export interface CiHttpOptions {
  fetch?: Fetch;
  /** Per request, in ms. */
  timeoutMs: number;
  /** Milliseconds since the epoch, for rate-limit reset times. */
  now: () => number;
  userAgent?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** True when the server said 304 and the cached body was reused. */
  notModified: boolean;
}

export interface HttpStats {
  requests: number;
  notModified: number;
  errors: number;
}

/** Cached bodies per URL, kept small: a poller revisits the same few URLs. */
const CACHE_LIMIT = 200;

export class CiHttp {
  readonly #fetch: Fetch;
  readonly #options: CiHttpOptions;
  readonly #cache = new Map<string, { etag: string; text: string; status: number; headers: Headers }>();
  readonly stats: HttpStats = { requests: 0, notModified: 0, errors: 0 };
  /** The latest rate-limit state any answer carried. */
  rateLimit: RateLimit | null = null;

  constructor(options: CiHttpOptions) {
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#options = options;
  }

  /** GET with If-None-Match when we hold an ETag for this URL. */
  async get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    const cached = this.#cache.get(url);
    const sent = cached ? { ...headers, "If-None-Match": cached.etag } : headers;
    const response = await this.#send("GET", url, sent);
    if (response.status === 304 && cached) {
      this.stats.notModified++;
      await response.body?.cancel();
      // Keep the order of recent use, so the oldest unused entry is the one evicted.
      this.#cache.delete(url);
      this.#cache.set(url, cached);
      // The cached answer's headers: a 304 need not repeat Link or x-next-page (RFC 9110 15.4.5).
      return { status: cached.status, headers: cached.headers, text: cached.text, notModified: true };
    }
    const text = await this.#read("GET", url, response);
    this.#check("GET", url, response, text);
    const etag = response.headers.get("etag");
    if (etag) {
      this.#cache.delete(url);
      this.#cache.set(url, { etag, text, status: response.status, headers: response.headers });
      if (this.#cache.size > CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    return { status: response.status, headers: response.headers, text, notModified: false };
  }

  async getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<{ body: T; answer: Answer }> {
    const answer = await this.get(url, { Accept: "application/json", ...headers });
    return { body: parseJsonBody<T>("GET", url, answer.text), answer };
  }

  async post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await this.#send("POST", url, headers, body);
    const text = await this.#read("POST", url, response);
    this.#check("POST", url, response, text);
    return { status: response.status, headers: response.headers, text, notModified: false };
  }

  async #send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Response> {
    this.stats.requests++;
    const init: RequestInit = {
      method,
      headers: { "User-Agent": this.#options.userAgent ?? "shipgate-bridge", ...headers },
      signal: AbortSignal.timeout(this.#options.timeoutMs),
      redirect: "follow",
    };
    if (body !== undefined) init.body = body;
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (err) {
      this.stats.errors++;
      const name = (err as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new CiHttpError("timeout", method, url, null, `no answer within ${this.#options.timeoutMs} ms`, null, null, { cause: err });
      }
      const cause = (err as Error & { cause?: Error }).cause;
      throw new CiHttpError("network", method, url, null, cause?.message ?? (err as Error).message, null, null, { cause: err });
    }
    const limit = readRateLimit(response.headers, this.#options.now());
    if (limit !== null) this.rateLimit = limit;
    return response;
  }

  async #read(method: string, url: string, response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (err) {
      this.stats.errors++;
      const kind = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError" ? "timeout" : "network";
      throw new CiHttpError(kind, method, url, response.status, `body not read: ${(err as Error).message}`, null, null, { cause: err });
    }
  }

  #check(method: string, url: string, response: Response, text: string): void {
    if (response.ok) return;
    this.stats.errors++;
    const limit = readRateLimit(response.headers, this.#options.now());
    const retryAfter = readRetryAfter(response.headers, this.#options.now());
    throw new CiHttpError("status", method, url, response.status, summarize(text), limit, retryAfter);
  }
}

export function parseJsonBody<T>(method: string, url: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CiHttpError("body", method, url, 200, `body is not JSON (${summarize(text)})`, null, null, { cause: err });
  }
}

/** A short, single-line excerpt of an error body for logs. */
function summarize(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 160)}...` : line || "(empty body)";
}

/** URLs in errors and logs without credentials in their query (some feeds take ?token=). */
export function redact(url: string): string {
  return url.replace(/([?&](?:token|private_token|access_token|circle-token)=)[^&]+/gi, "$1***");
}
