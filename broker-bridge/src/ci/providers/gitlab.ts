// GitLab pipelines and deployments (API v4; ci-apis.md). PRIVATE-TOKEN header; the project is its
// numeric id or its URL-encoded path; pages by x-next-page.

import type { Build, BuildState, Deployment } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, type Delivery, type PipelineSettings, type WebhookSupport, defineProvider, firstHeader, listAt, num, rec, sameSecret, seg, str, stringList } from "./provider";

export interface GitlabOptions {
  /** Numeric id or "group/project". */
  project: string;
  environments: string[];
  per_page: number;
  max_pages: number;
}

/**
 * Pipeline status (GitLab docs, "Pipelines API"): created, waiting_for_resource, preparing,
 * pending, running are on their way; manual waits for a person to press play (how GitLab users
 * gate a deploy); scheduled waits for a delayed job's time.
 */
export function gitlabPipelineState(status: unknown): BuildState {
  switch (status) {
    case "created":
    case "waiting_for_resource":
    case "preparing":
    case "pending":
    case "running":
    case "scheduled":
      return "building";
    case "manual":
      return "awaiting";
    case "success":
      return "passing";
    case "failed":
      return "failing";
    case "canceled":
    case "skipped":
      return "cancelled";
    default:
      return "unknown";
  }
}

/** Deployment status: created, running, success, failed, canceled, blocked; two are final. */
const FINISHED_DEPLOY: Readonly<Record<string, boolean>> = Object.freeze({ success: true, failed: false });

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
        provider: "gitlab",
        pipeline: s.name,
        id: str(a.id) ?? "?",
        state: gitlabPipelineState(a.status),
        branch: str(a.ref),
        url: str(a.url) ?? (str(project.web_url) === null ? null : `${str(project.web_url)}/-/pipelines/${str(a.id)}`),
        started_at: isoOrNull(a.created_at),
        finished_at: isoOrNull(a.finished_at),
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

/** GitLab's webhook (POST /hooks/gitlab): carries the secret token in X-Gitlab-Token. */
export const gitlabWebhook: WebhookSupport = {
  verify: (token, _body, headers) => (sameSecret(token, firstHeader(headers["x-gitlab-token"])) ? null : { audit: "token does not match", answer: "X-Gitlab-Token does not match" }),
  event: (headers) => firstHeader(headers["x-gitlab-event"]) ?? "",
  deliveries: (kind, payload, pipelines) => gitlabDeliveries(kind, payload, pipelines),
};

export const gitlab = defineProvider<GitlabOptions>({
  kind: "gitlab",
  defaultBaseUrl: "https://gitlab.com",
  keys: ["project", "environments", "per_page", "max_pages"],
  webhook: gitlabWebhook,
  check(f) {
    // A numeric id (a YAML number) or a "group/project" path.
    const project =
      f.nested("project", (v, at) =>
        (typeof v === "number" && Number.isInteger(v) && v > 0) || (typeof v === "string" && v.length > 0 && v.length <= 300)
          ? { ok: true, value: String(v) }
          : { ok: false, field: at, error: "must be a project id or a group/project path" },
      ) ?? "";
    const environments = stringList(f, "environments");
    const perPage = f.optionalInteger("per_page", 1, 100) ?? 20;
    const maxPages = f.optionalInteger("max_pages", 1, 10) ?? 1;
    return { project, environments, per_page: perPage, max_pages: maxPages };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const headers: Record<string, string> = p.token === null ? {} : { "PRIVATE-TOKEN": p.token };
    const projectUrl = `${p.base_url}/api/v4/projects/${seg(o.project)}`;

    const pages = async (first: string): Promise<unknown[]> => {
      const out: unknown[] = [];
      let page: string | null = "1";
      for (let i = 0; page !== null && page !== "" && i < o.max_pages; i++) {
        const url: string = `${first}&page=${seg(page)}`;
        const { body, answer } = await http.getJson(url, headers);
        out.push(...listAt(body, null, url));
        page = answer.headers.get("x-next-page");
      }
      return out;
    };

    const pipelines = async (): Promise<Build[]> => {
      const q = new URLSearchParams({ per_page: String(o.per_page), order_by: "id", sort: "desc" });
      if (p.branch !== null) q.set("ref", p.branch);
      return (await pages(`${projectUrl}/pipelines?${q}`)).map((item) => {
        const r = rec(item);
        const state = gitlabPipelineState(r.status);
        const build: Build = {
          provider: "gitlab",
          pipeline: p.name,
          id: str(r.id) ?? "?",
          state,
          branch: str(r.ref),
          url: str(r.web_url),
          started_at: isoOrNull(r.created_at),
          finished_at: state === "passing" || state === "failing" || state === "cancelled" ? isoOrNull(r.updated_at) : null,
        };
        const n = num(r.iid);
        if (n !== undefined) build.number = n;
        return build;
      });
    };

    const deployments = async (): Promise<Deployment[]> => {
      const out: Deployment[] = [];
      for (const environment of o.environments) {
        // The default order is ascending (oldest first): ask for the newest.
        const q = new URLSearchParams({ environment, per_page: "20", order_by: "id", sort: "desc" });
        const url = `${projectUrl}/deployments?${q}`;
        for (const item of listAt((await http.getJson(url, headers)).body, null, url)) {
          const d = rec(item);
          const status = str(d.status) ?? "";
          if (!(status in FINISHED_DEPLOY)) continue;
          // No top-level finished_at: the deploy job's finish, else the last update.
          const at = isoOrNull(rec(d.deployable).finished_at) ?? isoOrNull(d.updated_at) ?? isoOrNull(d.created_at);
          if (at === null) continue;
          out.push({ provider: "gitlab", pipeline: p.name, environment: str(rec(d.environment).name) ?? environment, id: str(d.id) ?? "?", at, ok: FINISHED_DEPLOY[status] === true });
        }
      }
      return out;
    };

    return {
      async poll() {
        return { builds: await pipelines(), deployments: await deployments() };
      },
    };
  },
});
