// Push as well as poll: GitHub and GitLab webhooks on the bridge's HTTP server. A delivery is
// believed only when it is signed (GitHub: X-Hub-Signature-256, HMAC-SHA256 of the raw body with the
// webhook secret, compared in constant time) or carries the token (GitLab: X-Gitlab-Token). The
// builds it carries go through the same change detection as polls, so a build seen both ways is
// reported once.

import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { gitlabPipelineState } from "./providers/gitlab";
import { githubRunState } from "./providers/github";
import type { GithubOptions } from "./providers/github";
import type { GitlabOptions } from "./providers/gitlab";
import type { PipelineSettings } from "./providers/provider";
import { num, rec, str } from "./providers/provider";
import type { Build, Deployment } from "./model";
import { isoOrNull } from "./model";

export interface Delivery {
  pipeline: string;
  builds: Build[];
  deployments: Deployment[];
}

/** GitHub docs, "Validating webhook deliveries": sha256=<hex HMAC of the raw body>. */
export function githubSignatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith("sha256=")) return false;
  const given = Buffer.from(header.slice(7), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Compare secrets without leaking their length or prefix through timing. */
export function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHmac("sha256", "shipgate").update(expected).digest();
  const b = createHmac("sha256", "shipgate").update(given).digest();
  return timingSafeEqual(a, b);
}

export function githubDeliveries(event: string, payload: unknown, pipelines: readonly PipelineSettings[]): Delivery[] {
  const p = rec(payload);
  const repo = (str(rec(p.repository).full_name) ?? "").toLowerCase();
  const mine = pipelines.filter((s) => s.provider === "github" && (s.options as GithubOptions).repo.toLowerCase() === repo);
  const out: Delivery[] = [];
  if (event === "workflow_run") {
    const r = rec(p.workflow_run);
    for (const s of mine) {
      const o = s.options as GithubOptions;
      if (s.branch !== null && r.head_branch !== s.branch) continue;
      if (o.workflow !== null && ![str(r.workflow_id), str(r.path)?.split("/").pop() ?? null, str(r.name)].includes(o.workflow)) continue;
      const build: Build = {
        provider: "github", pipeline: s.name, id: str(r.id) ?? "?", state: githubRunState(r.status, r.conclusion), branch: str(r.head_branch),
        url: str(r.html_url), started_at: isoOrNull(r.run_started_at ?? r.created_at),
        finished_at: r.status === "completed" ? isoOrNull(r.updated_at) : null, workflow: str(r.name) ?? str(r.workflow_id) ?? undefined,
      };
      const n = num(r.run_number);
      if (n !== undefined) build.number = n;
      out.push({ pipeline: s.name, builds: [build], deployments: [] });
    }
  } else if (event === "deployment_status") {
    const status = rec(p.deployment_status);
    const deployment = rec(p.deployment);
    const state = str(status.state);
    const environment = str(deployment.environment) ?? str(status.environment) ?? "";
    if (state !== "success" && state !== "failure" && state !== "error") return [];
    for (const s of mine) {
      if (!(s.options as GithubOptions).environments.includes(environment)) continue;
      const at = isoOrNull(status.created_at) ?? isoOrNull(deployment.created_at);
      if (at === null) continue;
      out.push({ pipeline: s.name, builds: [], deployments: [{ provider: "github", pipeline: s.name, environment, id: str(deployment.id) ?? "?", at, ok: state === "success" }] });
    }
  }
  return out;
}

export function gitlabDeliveries(kind: string, payload: unknown, pipelines: readonly PipelineSettings[]): Delivery[] {
  const p = rec(payload);
  const project = rec(p.project);
  const ids = [str(project.path_with_namespace), str(project.id)];
  const mine = pipelines.filter((s) => s.provider === "gitlab" && ids.includes((s.options as GitlabOptions).project));
  const out: Delivery[] = [];
  if (kind === "Pipeline Hook") {
    const a = rec(p.object_attributes);
    for (const s of mine) {
      if (s.branch !== null && a.ref !== s.branch) continue;
      const build: Build = {
        provider: "gitlab", pipeline: s.name, id: str(a.id) ?? "?", state: gitlabPipelineState(a.status), branch: str(a.ref),
        url: str(a.url) ?? (str(project.web_url) === null ? null : `${str(project.web_url)}/-/pipelines/${str(a.id)}`),
        started_at: isoOrNull(a.created_at), finished_at: isoOrNull(a.finished_at),
      };
      const n = num(a.iid);
      if (n !== undefined) build.number = n;
      out.push({ pipeline: s.name, builds: [build], deployments: [] });
    }
  } else if (kind === "Deployment Hook") {
    const status = str(p.status);
    const environment = str(p.environment) ?? "";
    const at = isoOrNull(p.status_changed_at);
    if ((status !== "success" && status !== "failed") || at === null) return [];
    for (const s of mine) {
      if (!(s.options as GitlabOptions).environments.includes(environment)) continue;
      out.push({ pipeline: s.name, builds: [], deployments: [{ provider: "gitlab", pipeline: s.name, environment, id: str(p.deployment_id) ?? "?", at, ok: status === "success" }] });
    }
  }
  return out;
}

export interface WebhookRoutes {
  githubSecret: string | null;
  gitlabToken: string | null;
  pipelines: readonly PipelineSettings[];
  deliver(delivery: Delivery, source: string): void;
  /** Refused deliveries (bad signature/token), for the audit log. */
  refused(source: string, why: string): void;
}

/** Deliveries remembered to drop GitHub redeliveries (X-GitHub-Delivery). */
const DELIVERY_MEMORY = 1000;

export function registerWebhooks(app: FastifyInstance, routes: WebhookRoutes): void {
  const seen = new Set<string>();
  // The raw body is needed for the HMAC; the parser is scoped to these routes only.
  app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

    if (routes.githubSecret !== null) {
      const secret = routes.githubSecret;
      scope.post("/hooks/github", async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!githubSignatureValid(secret, raw, header(req.headers["x-hub-signature-256"]))) {
          routes.refused("github", "signature does not match");
          return reply.code(401).send({ error: "X-Hub-Signature-256 does not match the body" });
        }
        const id = header(req.headers["x-github-delivery"]);
        if (id !== undefined) {
          if (seen.has(id)) return reply.code(200).send({ ok: true, duplicate: true });
          seen.add(id);
          if (seen.size > DELIVERY_MEMORY) seen.delete(seen.values().next().value as string);
        }
        const event = header(req.headers["x-github-event"]) ?? "";
        if (event === "ping") return { ok: true };
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString("utf8"));
        } catch {
          return reply.code(400).send({ error: "body is not JSON" });
        }
        const deliveries = githubDeliveries(event, payload, routes.pipelines);
        for (const d of deliveries) routes.deliver(d, "github webhook");
        return { ok: true, matched: deliveries.length };
      });
    }

    if (routes.gitlabToken !== null) {
      const token = routes.gitlabToken;
      scope.post("/hooks/gitlab", async (req, reply) => {
        if (!sameSecret(token, header(req.headers["x-gitlab-token"]))) {
          routes.refused("gitlab", "token does not match");
          return reply.code(401).send({ error: "X-Gitlab-Token does not match" });
        }
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString("utf8"));
        } catch {
          return reply.code(400).send({ error: "body is not JSON" });
        }
        const deliveries = gitlabDeliveries(header(req.headers["x-gitlab-event"]) ?? "", payload, routes.pipelines);
        for (const d of deliveries) routes.deliver(d, "gitlab webhook");
        return { ok: true, matched: deliveries.length };
      });
    }
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
