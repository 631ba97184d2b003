// GitHub environments' custom deployment protection rules (docs/github.md): the bridge is the
// GitHub App's webhook. POST /api/github/webhook takes a signed `deployment_protection_rule`
// delivery; the waiting deployment becomes a lock (pipeline = repository, step = environment,
// summary from the run; the lock id is derived from repository, run and environment, so a
// re-delivered webhook finds the same lock). When the lock is decided, the decision is posted
// back to the delivery's callback URL as the app's installation, with a comment naming who
// decided, which GitHub shows on the run's environment. The pending reviews are kept in the store
// (github_reviews), so a decision made while GitHub was unreachable, or just before a restart, is
// still posted later.
//
// Needs: the HTTP server (a route), the store (its table), the bus (lock:decided, audit), the
// config, and from the gates their lock-decisions (request) and lock-queries (get) ports.

import { createHash } from "node:crypto";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { LockState } from "@shipgate/protocol";
import { sectionOf } from "../config";
import { LockDecisions, type LockDecisionsPort, LockQueries, type LockQueriesPort, isGateRefusal } from "../ports/gates";
import type { Service, ServiceContext } from "../service";
import { GitHubApi, type GitHubApiOptions } from "./github-api";
import { type GitHubAppSettings, checkGitHubAppSection } from "./github-app-config";
import { WebhookPayloadError, protectionRequest, signatureValid } from "./protection-webhook";

export interface GitHubAppServiceOptions {
  api?: GitHubApiOptions;
}

interface ReviewRow {
  lock_id: string;
  repository: string;
  environment: string;
  installation_id: number;
  callback_url: string;
}

export const WEBHOOK_PATH = "/api/github/webhook";
const REQUESTER = "github-app";

/** A UUID-shaped id from the deployment's identity (the lock id must be a UUID). */
export function lockIdFor(repository: string, runId: number, environment: string): string {
  const h = createHash("sha256").update(`shipgate-github-v1|${repository}|${runId}|${environment}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function reviewOf(lock: LockState): { state: "approved" | "rejected"; comment: string } {
  const who = lock.decided_by ?? "shipgate";
  const reason = lock.reason ? `: ${lock.reason}` : "";
  if (lock.state === "approved") return { state: "approved", comment: `Approved on shipgate by ${who}${reason}` };
  if (lock.state === "expired") return { state: "rejected", comment: `Expired on shipgate: nobody decided in time${reason}` };
  if (lock.state === "cancelled") return { state: "rejected", comment: `Cancelled on shipgate by ${who}${reason}` };
  return { state: "rejected", comment: `Rejected on shipgate by ${who}${reason}` };
}

export class GitHubAppService implements Service {
  readonly name = "github-app";
  readonly needs = [LockDecisions, LockQueries];
  readonly #options: GitHubAppServiceOptions;
  #ctx!: ServiceContext;
  #settings: GitHubAppSettings | null = null;
  #api!: GitHubApi;
  readonly #posting = new Set<string>();

  #decisions!: LockDecisionsPort;
  #queries!: LockQueriesPort;

  constructor(options: GitHubAppServiceOptions = {}) {
    this.#options = options;
  }

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    this.#decisions = ctx.ports.need(LockDecisions);
    this.#queries = ctx.ports.need(LockQueries);
    const base = ctx.config.file.startsWith("<") ? process.cwd() : path.dirname(path.resolve(ctx.config.file));
    this.#settings = sectionOf(ctx.config, "github_app", (v, at) => checkGitHubAppSection(v, at, base));
    if (this.#settings === null) return;
    this.#api = new GitHubApi(this.#settings, this.#options.api);
    ctx.store.migrate("github-app", [
      `CREATE TABLE github_reviews (lock_id TEXT PRIMARY KEY, repository TEXT NOT NULL, environment TEXT NOT NULL,
         run_id BIGINT NOT NULL, installation_id BIGINT NOT NULL, callback_url TEXT NOT NULL, created_at BIGINT NOT NULL,
         posted_state TEXT, posted_at BIGINT)`,
    ]);
    ctx.bus.on("lock:decided", ({ lock }) => void this.#post(lock.id));
    ctx.http.register(async (scope: FastifyInstance) => {
      // The signature covers the exact bytes GitHub sent: keep them (this scope only).
      scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
      scope.post(WEBHOOK_PATH, async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const refuse = (code: number, error: string) => {
          ctx.bus.emit("audit", { actor: `http:${req.ip}`, action: "github.webhook_refused", subject: WEBHOOK_PATH, detail: { error, delivery: req.headers["x-github-delivery"] ?? null } });
          return reply.code(code).send({ ok: false, error });
        };
        if (!signatureValid((this.#settings as GitHubAppSettings).webhookSecret, raw, req.headers["x-hub-signature-256"] as string | undefined)) {
          return refuse(401, "X-Hub-Signature-256 is missing or does not match the app's webhook secret");
        }
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString("utf8"));
        } catch {
          return refuse(400, "the body is not JSON");
        }
        const event = req.headers["x-github-event"];
        if (event === "ping") return { ok: true };
        if (event !== "deployment_protection_rule" || (payload as { action?: unknown }).action !== "requested") return reply.code(202).send({ ok: true, ignored: event ?? null });
        try {
          return reply.code(202).send({ ok: true, lock: this.#request(payload).id });
        } catch (err) {
          if (err instanceof WebhookPayloadError) return refuse(400, err.message);
          if (isGateRefusal(err)) return refuse(409, err.message);
          throw err;
        }
      });
    });
    ctx.status.register("github_app", () => ({ app_id: this.#settings?.appId, api_url: this.#settings?.apiUrl, unposted: this.#unposted().length }));
  }

  started(): void {
    if (this.#settings === null) return;
    // Decisions made while GitHub could not be told (down, or the bridge stopped first).
    for (const row of this.#unposted()) void this.#post(row.lock_id);
  }

  #request(payload: unknown): LockState {
    const settings = this.#settings as GitHubAppSettings;
    const r = protectionRequest(payload, settings.apiUrl);
    const id = lockIdFor(r.repository, r.runId, r.environment);
    this.#ctx.store.db
      .prepare("INSERT INTO github_reviews (lock_id, repository, environment, run_id, installation_id, callback_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .run(id, r.repository, r.environment, r.runId, r.installationId, r.callbackUrl, this.#ctx.clock.now());
    const { lock, created } = this.#decisions.request({ id, pipeline: r.repository, step: r.environment, summary: r.summary }, REQUESTER);
    if (created) this.#ctx.bus.emit("audit", { actor: `github:${r.repository}`, action: "github.deployment_waiting", subject: id, detail: { environment: r.environment, run_id: r.runId } });
    // Decided at once (released or blocked mode), or decided before a re-delivery: post it.
    if (lock.state !== "pending") void this.#post(id);
    return lock;
  }

  #unposted(): ReviewRow[] {
    return this.#ctx.store.db.prepare("SELECT lock_id, repository, environment, installation_id, callback_url FROM github_reviews WHERE posted_state IS NULL").all() as ReviewRow[];
  }

  async #post(lockId: string): Promise<void> {
    if (this.#posting.has(lockId)) return;
    const row = this.#ctx.store.db.prepare("SELECT lock_id, repository, environment, installation_id, callback_url FROM github_reviews WHERE lock_id = ? AND posted_state IS NULL").get(lockId) as
      | ReviewRow
      | undefined;
    if (row === undefined) return;
    const lock = this.#queries.get(lockId);
    if (lock === undefined || lock.state === "pending") return;
    const review = reviewOf(lock);
    this.#posting.add(lockId);
    try {
      await this.#api.reviewDeployment(row.installation_id, row.callback_url, { environment_name: row.environment, ...review });
      this.#ctx.store.db.prepare("UPDATE github_reviews SET posted_state = ?, posted_at = ? WHERE lock_id = ?").run(review.state, this.#ctx.clock.now(), lockId);
      this.#ctx.bus.emit("audit", {
        actor: lock.decided_by ?? "shipgate",
        action: `github.deployment_${review.state}`,
        subject: lockId,
        detail: { repository: row.repository, environment: row.environment },
      });
    } catch (err) {
      this.#ctx.log.warn({ err, lock: lockId }, "cannot post the decision to GitHub; it is retried at the next start");
      this.#ctx.bus.emit("audit", { actor: "system", action: "github.review_failed", subject: lockId, detail: { error: (err as Error).message } });
    } finally {
      this.#posting.delete(lockId);
    }
  }
}
