// A loopback HTTP server that behaves like a CI provider's API: routes answer real shapes, GETs
// carry an ETag and honour If-None-Match with 304, rate-limit headers count down and run out
// (403 or 429 with the reset and retry-after), and modes make it answer 5xx, garbage, or nothing
// at all (hung). Every request is counted. Per-provider fakes (ci-github-fake.ts...) add routes.

import { createHash } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless it is a string. */
  body?: unknown;
}

export interface FakeRequest {
  method: string;
  path: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
}

export type FakeRoute = (req: FakeRequest, match: RegExpExecArray) => FakeAnswer;

/** How a provider tells its rate limit (ci-apis.md). */
export interface RateLimitStyle {
  /** Header prefix: "x-ratelimit-" (GitHub) or "ratelimit-" (GitLab, Buildkite). */
  prefix: string;
  /** Reset as epoch seconds (GitHub, GitLab) or seconds from now (Buildkite). */
  reset: "epoch" | "delta";
  /** The status once exhausted: GitHub 403 (or 429), GitLab and Buildkite 429, Codeship 403. */
  exhaustedStatus: number;
  /** Whether a 304 is free (GitHub: "does not count against your primary rate limit"). */
  freeNotModified: boolean;
}

export type FakeMode = "normal" | "error500" | "error503" | "garbage" | "hang";

export interface FakeServerOptions {
  /** The fake's clock (ms since the epoch), shared with a test's fake clock. */
  now?: () => number;
  rateLimit?: (RateLimitStyle & { limit: number; windowMs: number }) | null;
}

export class FakeCiServer {
  readonly #routes: { method: string; pattern: RegExp; route: FakeRoute }[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<ServerResponse>();
  readonly #now: () => number;
  readonly #server: Server;
  mode: FakeMode = "normal";
  readonly requests: FakeRequest[] = [];
  notModified = 0;
  rateLimit: FakeServerOptions["rateLimit"];
  remaining = 0;
  resetAt = 0;
  url = "";

  private constructor(options: FakeServerOptions) {
    this.#now = options.now ?? Date.now;
    this.rateLimit = options.rateLimit ?? null;
    if (this.rateLimit) {
      this.remaining = this.rateLimit.limit;
      this.resetAt = this.#now() + this.rateLimit.windowMs;
    }
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeCiServer> {
    const fake = new FakeCiServer(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  route(method: string, pattern: RegExp, route: FakeRoute): this {
    this.#routes.push({ method, pattern, route });
    return this;
  }

  /** Requests that reached a route or an error mode (304s included). */
  count(pathPart = ""): number {
    return this.requests.filter((r) => r.path.includes(pathPart)).length;
  }

  async close(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #rateHeaders(): Record<string, string> {
    const rl = this.rateLimit;
    if (!rl) return {};
    const now = this.#now();
    if (now >= this.resetAt) {
      this.remaining = rl.limit;
      this.resetAt = now + rl.windowMs;
    }
    const reset = rl.reset === "epoch" ? Math.ceil(this.resetAt / 1000) : Math.ceil((this.resetAt - now) / 1000);
    return {
      [`${rl.prefix}limit`]: String(rl.limit),
      [`${rl.prefix}remaining`]: String(this.remaining),
      [`${rl.prefix}reset`]: String(reset),
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", this.url);
    const request: FakeRequest = { method: req.method ?? "GET", path: url.pathname, url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    this.requests.push(request);

    if (this.mode === "hang") {
      this.#hung.add(res);
      return;
    }
    const rl = this.rateLimit;
    let headers = this.#rateHeaders();
    if (rl && this.remaining <= 0) {
      const retryAfter = String(Math.max(1, Math.ceil((this.resetAt - this.#now()) / 1000)));
      return send(
        res,
        rl.exhaustedStatus,
        { ...headers, "retry-after": retryAfter, "content-type": "application/json" },
        JSON.stringify({ message: "API rate limit exceeded", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" }),
      );
    }
    if (this.mode === "error500" || this.mode === "error503") {
      this.#spend();
      return send(res, this.mode === "error500" ? 500 : 503, { ...this.#rateHeaders(), "content-type": "text/html" }, "<html><body><h1>Server Error</h1></body></html>");
    }
    const found = this.#routes.find((r) => r.method === request.method && r.pattern.test(url.pathname));
    if (!found) {
      this.#spend();
      return send(res, 404, { ...this.#rateHeaders(), "content-type": "application/json" }, JSON.stringify({ message: "Not Found" }));
    }
    const answer = found.route(request, found.pattern.exec(url.pathname) as RegExpExecArray);
    const status = answer.status ?? 200;
    let body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? null);
    if (this.mode === "garbage") body = '{"workflow_runs": [ {"id": 1, "sta<<<truncated';
    const etag = `W/"${createHash("sha1").update(body).digest("hex").slice(0, 20)}"`;
    if (request.method === "GET" && status === 200 && req.headers["if-none-match"] === etag && this.mode === "normal") {
      this.notModified++;
      if (!rl?.freeNotModified) this.#spend();
      headers = this.#rateHeaders();
      return send(res, 304, { ...headers, etag }, "");
    }
    this.#spend();
    headers = this.#rateHeaders();
    const type = typeof answer.body === "string" && answer.body.startsWith("<") ? "application/xml" : "application/json; charset=utf-8";
    send(res, status, { "content-type": type, ...(request.method === "GET" ? { etag } : {}), ...headers, ...(answer.headers ?? {}) }, body);
  }

  #spend(): void {
    if (this.rateLimit && this.remaining > 0) this.remaining--;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.end(status === 304 ? undefined : body);
}
