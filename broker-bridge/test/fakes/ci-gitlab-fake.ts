// A fake GitLab API v4: pipelines and deployments with real fields and statuses, page/per_page with
// x-next-page, x-total and Link, ETags, RateLimit-* headers (epoch reset, 429 once spent).

import { FakeCiServer, type FakeServerOptions } from "./ci-fake-server";

export interface FakePipeline {
  id: number;
  iid: number;
  status: string;
  ref: string;
  created_at: string;
  updated_at: string;
}

export interface FakeGitlabDeployment {
  id: number;
  iid: number;
  status: string;
  environment: string;
  created_at: string;
  finished_at: string | null;
}

export class GitlabFake {
  readonly pipelines = new Map<string, FakePipeline[]>();
  readonly deployments = new Map<string, FakeGitlabDeployment[]>();

  private constructor(readonly server: FakeCiServer) {}

  static async start(options: FakeServerOptions & { limit?: number } = {}): Promise<GitlabFake> {
    const server = await FakeCiServer.start({
      now: options.now,
      rateLimit: options.rateLimit === null ? null : { prefix: "ratelimit-", reset: "epoch", exhaustedStatus: 429, freeNotModified: false, limit: options.limit ?? 2000, windowMs: 60_000 },
    });
    const fake = new GitlabFake(server);
    const paged = <T>(req: { url: URL }, all: T[]) => {
      const perPage = Number(req.url.searchParams.get("per_page") ?? 20);
      const page = Number(req.url.searchParams.get("page") ?? 1);
      const more = page * perPage < all.length;
      const next = new URL(req.url);
      next.searchParams.set("page", String(page + 1));
      return {
        headers: {
          "x-next-page": more ? String(page + 1) : "",
          "x-page": String(page),
          "x-per-page": String(perPage),
          "x-total": String(all.length),
          ...(more ? { link: `<${next}>; rel="next"` } : {}),
        },
        body: all.slice((page - 1) * perPage, page * perPage),
      };
    };
    server.route("GET", /^\/api\/v4\/projects\/([^/]+)\/pipelines$/, (req, m) => {
      const project = decodeURIComponent(m[1] ?? "");
      const ref = req.url.searchParams.get("ref");
      const desc = req.url.searchParams.get("sort") !== "asc";
      const all = (fake.pipelines.get(project) ?? []).filter((p) => ref === null || p.ref === ref).sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      const out = paged(
        req,
        all.map((p) => ({ ...p, project_id: 7, source: "push", sha: "c".repeat(40), web_url: `https://gitlab.example/${project}/-/pipelines/${p.id}` })),
      );
      return out;
    });
    server.route("GET", /^\/api\/v4\/projects\/([^/]+)\/deployments$/, (req, m) => {
      const project = decodeURIComponent(m[1] ?? "");
      const env = req.url.searchParams.get("environment");
      // GitLab's default order is ascending by id; only sort=desc reverses it.
      const desc = req.url.searchParams.get("sort") === "desc";
      const all = (fake.deployments.get(project) ?? []).filter((d) => env === null || d.environment === env).sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      return paged(
        req,
        all.map((d) => ({
          id: d.id,
          iid: d.iid,
          ref: "main",
          sha: "d".repeat(40),
          created_at: d.created_at,
          updated_at: d.finished_at ?? d.created_at,
          status: d.status,
          environment: { id: 1, name: d.environment },
          deployable: { id: d.id * 10, status: d.status, finished_at: d.finished_at },
        })),
      );
    });
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  addPipeline(project: string, p: Partial<FakePipeline> & Pick<FakePipeline, "status">): FakePipeline {
    const list = this.pipelines.get(project) ?? [];
    const id = p.id ?? 5000 + list.length;
    const full: FakePipeline = {
      id,
      iid: list.length + 1,
      ref: "main",
      created_at: new Date(Date.UTC(2026, 2, 1) + id * 60_000).toISOString(),
      updated_at: new Date(Date.UTC(2026, 2, 1) + id * 60_000 + 30_000).toISOString(),
      ...p,
    };
    list.push(full);
    this.pipelines.set(project, list);
    return full;
  }

  addDeployment(project: string, d: Omit<FakeGitlabDeployment, "iid">): void {
    const list = this.deployments.get(project) ?? [];
    list.push({ iid: list.length + 1, ...d });
    this.deployments.set(project, list);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
