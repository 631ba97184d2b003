// GitHub Actions workflow runs and GitHub deployments (REST API 2022-11-28; ci-apis.md).
// GET /repos/{owner}/{repo}/actions/runs?branch=&per_page= (or /actions/workflows/{workflow}/runs),
// pages by the Link header; deployments per environment with their statuses.

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Build, BuildState, Deployment } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, type Delivery, type PipelineSettings, type WebhookSupport, authBearer, defineProvider, firstHeader, listAt, num, rec, seg, str, stringList } from "./provider";

export interface GithubOptions {
  /** "owner/name". */
  repo: string;
  /** A workflow file name or id; absent: every workflow on the branch. */
  workflow: string | null;
  /** Environments whose deployments are followed (counters). */
  environments: string[];
  per_page: number;
  /** Pages of runs read per poll (Link rel="next"). */
  max_pages: number;
}

/**
 * Workflow run status and conclusion (GitHub docs, "List workflow runs for a repository"):
 * status queued/requested/pending/in_progress: the run is not done; waiting: an environment's
 * protection rule waits for a reviewer. conclusion only counts once status is completed.
 */
export function githubRunState(status: unknown, conclusion: unknown): BuildState {
  switch (status) {
    case "queued":
    case "requested":
    case "pending":
    case "in_progress":
      return "building";
    case "waiting":
      return "awaiting";
    case "completed":
      break;
    default:
      return "unknown";
  }
  switch (conclusion) {
    case "success":
      return "passing";
    case "failure":
    case "timed_out":
    case "startup_failure":
      return "failing";
    // action_required: a person must approve the run (first-time contributor, environment).
    case "action_required":
      return "awaiting";
    // Says nothing about the code: the pipeline keeps its previous result.
    case "cancelled":
    case "skipped":
    case "neutral":
    case "stale":
      return "cancelled";
    default:
      return "unknown";
  }
}

/** Deployment status states; only success and failure/error finish a deployment. */
const FINISHED_DEPLOY: Readonly<Record<string, boolean>> = Object.freeze({ success: true, failure: false, error: false });

const HEADERS = Object.freeze({ Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" });

/** rel="next" from an RFC 8288 Link header. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1] ?? null;
  }
  return null;
}

/** GitHub docs, "Validating webhook deliveries": sha256=<hex HMAC of the raw body>. */
export function githubSignatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith("sha256=")) return false;
  const given = Buffer.from(header.slice(7), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
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
      out.push({ pipeline: s.name, builds: [githubRunBuild(s.name, r)], deployments: [] });
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

/** One workflow run, as the runs API and the workflow_run webhook both describe it. */
function githubRunBuild(pipeline: string, r: Record<string, unknown>): Build {
  const build: Build = {
    provider: "github",
    pipeline,
    id: str(r.id) ?? "?",
    state: githubRunState(r.status, r.conclusion),
    branch: str(r.head_branch),
    url: str(r.html_url),
    started_at: isoOrNull(r.run_started_at ?? r.created_at),
    finished_at: r.status === "completed" ? isoOrNull(r.updated_at) : null,
    workflow: str(r.name) ?? str(r.workflow_id) ?? undefined,
  };
  const n = num(r.run_number);
  if (n !== undefined) build.number = n;
  return build;
}

/** GitHub's webhook (POST /hooks/github): signed with the secret, redelivered with the same id. */
export const githubWebhook: WebhookSupport = {
  verify: (secret, body, headers) =>
    githubSignatureValid(secret, body, firstHeader(headers["x-hub-signature-256"])) ? null : { audit: "signature does not match", answer: "X-Hub-Signature-256 does not match the body" },
  deliveryId: (headers) => firstHeader(headers["x-github-delivery"]),
  event: (headers) => firstHeader(headers["x-github-event"]) ?? "",
  pings: ["ping"],
  deliveries: (event, payload, pipelines) => githubDeliveries(event, payload, pipelines),
};

export const github = defineProvider<GithubOptions>({
  kind: "github",
  defaultBaseUrl: "https://api.github.com",
  keys: ["repo", "workflow", "environments", "per_page", "max_pages"],
  check(f) {
    const repo = f.string("repo", { min: 3, max: 200, pattern: /^[^/\s]+\/[^/\s]+$/, patternText: "owner/name" });
    const workflow = f.optionalString("workflow", { min: 1, max: 200 }) ?? null;
    const environments = stringList(f, "environments");
    const perPage = f.optionalInteger("per_page", 1, 100) ?? 20;
    const maxPages = f.optionalInteger("max_pages", 1, 10) ?? 1;
    return { repo, workflow, environments, per_page: perPage, max_pages: maxPages };
  },
  webhook: githubWebhook,
  create(p, { http }): CiProvider {
    const o = p.options;
    const headers = { ...HEADERS, ...authBearer(p.token) };
    const repoUrl = `${p.base_url}/repos/${o.repo.split("/").map(seg).join("/")}`;
    // Deployments whose result is final are not asked about again.
    const finished = new Map<string, Deployment>();

    const runs = async (): Promise<Build[]> => {
      const q = new URLSearchParams({ per_page: String(o.per_page) });
      if (p.branch !== null) q.set("branch", p.branch);
      let url: string | null = `${repoUrl}/actions/${o.workflow === null ? "" : `workflows/${seg(o.workflow)}/`}runs?${q}`;
      const out: Build[] = [];
      for (let page = 0; url !== null && page < o.max_pages; page++) {
        const { body, answer } = await http.getJson(url, headers);
        for (const r of listAt(body, "workflow_runs", url)) out.push(githubRunBuild(p.name, rec(r)));
        url = nextLink(answer.headers.get("link"));
      }
      return out;
    };

    const deployments = async (): Promise<Deployment[]> => {
      for (const environment of o.environments) {
        const url = `${repoUrl}/deployments?${new URLSearchParams({ environment, per_page: "10" })}`;
        const { body } = await http.getJson(url, headers);
        for (const d of listAt(body, null, url)) {
          const id = str(rec(d).id);
          if (id === null || finished.has(id)) continue;
          const statusesUrl = `${repoUrl}/deployments/${seg(id)}/statuses?per_page=10`;
          const statuses = listAt((await http.getJson(statusesUrl, headers)).body, null, statusesUrl);
          // Statuses are listed newest first; the newest final one decides.
          for (const s of statuses) {
            const state = str(rec(s).state) ?? "";
            if (!(state in FINISHED_DEPLOY)) continue;
            finished.set(id, {
              provider: "github",
              pipeline: p.name,
              environment,
              id,
              at: isoOrNull(rec(s).created_at) ?? isoOrNull(rec(d).created_at) ?? new Date(0).toISOString(),
              ok: FINISHED_DEPLOY[state] === true,
            });
            break;
          }
        }
      }
      while (finished.size > 200) finished.delete(finished.keys().next().value as string);
      return [...finished.values()];
    };

    return {
      async poll() {
        return { builds: await runs(), deployments: await deployments() };
      },
    };
  },
});
