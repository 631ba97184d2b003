// A loopback GitHub for the GitHub App tests that checks every request as GitHub documents it:
//   POST /app/installations/{id}/access_tokens  needs `Authorization: Bearer <JWT>`: RS256 verified
//        with the app's public key, iss the app id, iat not in the future (60 s drift allowed),
//        exp after now and at most 10 minutes after iat + 60 s; answers 201 {token, expires_at}
//   POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule  needs a token it
//        issued for an installation that holds the repository; the body has exactly
//        environment_name, state (approved | rejected) and comment; answers 204
// Every refusal is recorded with its reason, and a test may make the next N answers 5xx.
// It also signs and sends webhook deliveries to the bridge, as GitHub does.

import { type KeyObject, createHmac, createVerify, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Review {
  repo: string;
  runId: number;
  environment_name: string;
  state: string;
  comment: string;
  token: string;
}

export class FakeGitHub {
  readonly reviews: Review[] = [];
  readonly refusals: string[] = [];
  tokensIssued = 0;
  /** The next N requests answer 502 (after their checks passed). */
  failNext = 0;
  #server!: http.Server;
  readonly #tokens = new Map<string, { installation: number; expiresAt: number }>();

  constructor(
    readonly appId: number,
    readonly publicKey: KeyObject,
    readonly installations: Record<number, string[]>,
    readonly tokenLifetimeMs = 3_600_000,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => this.#handle(req, body, res));
    });
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
  }

  stop(): Promise<void> {
    return new Promise((r) => this.#server.close(() => r()));
  }

  #refuse(res: http.ServerResponse, status: number, reason: string): void {
    this.refusals.push(reason);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ message: reason }));
  }

  #handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = req.url ?? "";
    if (req.headers.accept !== "application/vnd.github+json") return this.#refuse(res, 415, `${url}: Accept must be application/vnd.github+json`);
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (auth === undefined) return this.#refuse(res, 401, `${url}: no bearer credential`);
    let m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url);
    if (req.method === "POST" && m) {
      const problem = this.#jwtProblem(auth);
      if (problem) return this.#refuse(res, 401, `access_tokens: ${problem}`);
      if (!(Number(m[1]) in this.installations)) return this.#refuse(res, 404, `installation ${m[1]} unknown`);
      if (this.#failing(res)) return;
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      const expiresAt = Date.now() + this.tokenLifetimeMs;
      this.#tokens.set(token, { installation: Number(m[1]), expiresAt });
      this.tokensIssued++;
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_at: new Date(expiresAt).toISOString(), permissions: { actions: "read", deployments: "write" } }));
      return;
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(url);
    if (req.method === "POST" && m) {
      const t = this.#tokens.get(auth);
      if (t === undefined || t.expiresAt <= Date.now()) return this.#refuse(res, 401, "review: not a live installation token");
      if (!(this.installations[t.installation] ?? []).includes(m[1] as string)) return this.#refuse(res, 403, `review: installation ${t.installation} has no access to ${m[1]}`);
      if (req.headers["content-type"] !== "application/json") return this.#refuse(res, 415, "review: body must be JSON");
      let review: Record<string, unknown>;
      try {
        review = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return this.#refuse(res, 400, "review: body is not JSON");
      }
      const keys = Object.keys(review).sort().join(",");
      if (keys !== "comment,environment_name,state") return this.#refuse(res, 422, `review: keys must be comment, environment_name, state; got ${keys}`);
      if (typeof review.environment_name !== "string" || typeof review.comment !== "string" || !["approved", "rejected"].includes(String(review.state)))
        return this.#refuse(res, 422, "review: bad field types or state");
      if (this.#failing(res)) return;
      this.reviews.push({ repo: m[1] as string, runId: Number(m[2]), environment_name: review.environment_name, state: String(review.state), comment: review.comment, token: auth });
      res.writeHead(204).end();
      return;
    }
    this.#refuse(res, 404, `${req.method} ${url}: not a route this fake knows`);
  }

  #failing(res: http.ServerResponse): boolean {
    if (this.failNext <= 0) return false;
    this.failNext--;
    res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "Bad Gateway (fake)" }));
    return true;
  }

  #jwtProblem(jwt: string): string | null {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "not a JWT";
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: string };
    if (header.alg !== "RS256") return `alg ${header.alg} is not RS256`;
    if (!createVerify("RSA-SHA256").update(`${h}.${p}`).verify(this.publicKey, Buffer.from(s, "base64url"))) return "signature does not verify with the app's public key";
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as { iat?: number; exp?: number; iss?: string | number };
    const now = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== String(this.appId)) return `iss ${claims.iss} is not the app id`;
    if (typeof claims.iat !== "number" || claims.iat > now + 60) return "iat is in the future";
    if (typeof claims.exp !== "number" || claims.exp <= now) return "exp has passed";
    if (claims.exp - claims.iat > 600 + 60) return "exp is more than 10 minutes out";
    return null;
  }
}

/** A `deployment_protection_rule` `requested` delivery as GitHub sends it. */
export function protectionPayload(api: string, repo: string, runId: number, environment: string, installation: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: "requested",
    environment,
    event: "push",
    deployment_callback_url: `${api}/repos/${repo}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { id: 42, sha: "4f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", ref: "main", environment, creator: { login: "alice" } },
    repository: { full_name: repo, name: repo.split("/")[1], owner: { login: repo.split("/")[0] } },
    installation: { id: installation },
    sender: { login: "alice" },
    ...extra,
  };
}

export async function deliver(bridgeUrl: string, secret: string | null, event: string, payload: unknown, signatureOverride?: string): Promise<Response> {
  const body = JSON.stringify(payload);
  const signature = signatureOverride ?? (secret === null ? undefined : "sha256=" + createHmac("sha256", secret).update(body).digest("hex"));
  return fetch(`${bridgeUrl}/api/github/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), ...(signature ? { "x-hub-signature-256": signature } : {}) },
    body,
  });
}
