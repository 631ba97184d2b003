// A fake GitHub REST API (2022-11-28) for workflow runs and deployments: real field names and
// status values, Link pagination, weak ETags, x-ratelimit-* headers (403 once spent), 304s free.

import { FakeCiServer, type FakeServerOptions } from "./ci-fake-server";

export interface FakeRun {
  id: number;
  name: string;
  head_branch: string;
  run_number: number;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: null | "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | "stale" | "startup_failure";
  created_at: string;
  updated_at: string;
}

export interface FakeDeployment {
  id: number;
  environment: string;
  created_at: string;
  statuses: { state: string; created_at: string }[];
}

export class GithubFake {
  readonly runs = new Map<string, FakeRun[]>();
  readonly deployments = new Map<string, FakeDeployment[]>();
  #nextId = 1000;

  private constructor(readonly server: FakeCiServer) {}

  static async start(options: FakeServerOptions & { limit?: number; windowMs?: number } = {}): Promise<GithubFake> {
    const server = await FakeCiServer.start({
      now: options.now,
      rateLimit:
        options.rateLimit === null
          ? null
          : { prefix: "x-ratelimit-", reset: "epoch", exhaustedStatus: 403, freeNotModified: true, limit: options.limit ?? 5000, windowMs: options.windowMs ?? 3_600_000 },
    });
    const fake = new GithubFake(server);
    server.route("GET", /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs$/, (req, m) => {
      const repo = `${m[1]}/${m[2]}`;
      const branch = req.url.searchParams.get("branch");
      const all = (fake.runs.get(repo) ?? []).filter((r) => branch === null || r.head_branch === branch).sort((a, b) => b.id - a.id);
      const perPage = Number(req.url.searchParams.get("per_page") ?? 30);
      const page = Number(req.url.searchParams.get("page") ?? 1);
      const items = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        const next = new URL(req.url);
        next.searchParams.set("page", String(page + 1));
        headers.link = `<${next}>; rel="next", <${next}>; rel="last"`;
      }
      return {
        headers,
        body: {
          total_count: all.length,
          workflow_runs: items.map((r) => ({
            ...r,
            head_sha: "a".repeat(40),
            run_attempt: 1,
            event: "push",
            workflow_id: 161335,
            html_url: `https://github.com/${repo}/actions/runs/${r.id}`,
            run_started_at: r.created_at,
          })),
        },
      };
    });
    server.route("GET", /^\/repos\/([^/]+)\/([^/]+)\/deployments$/, (req, m) => {
      const env = req.url.searchParams.get("environment");
      const list = (fake.deployments.get(`${m[1]}/${m[2]}`) ?? []).filter((d) => env === null || d.environment === env);
      return { body: [...list].sort((a, b) => b.id - a.id).map(({ statuses: _s, ...d }) => ({ ...d, sha: "b".repeat(40), ref: "main", task: "deploy" })) };
    });
    server.route("GET", /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/, (_req, m) => {
      const d = (fake.deployments.get(`${m[1]}/${m[2]}`) ?? []).find((x) => x.id === Number(m[3]));
      if (!d) return { status: 404, body: { message: "Not Found" } };
      return { body: [...d.statuses].reverse().map((s, i) => ({ id: i + 1, ...s })) };
    });
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  addRun(repo: string, run: Partial<FakeRun> & Pick<FakeRun, "status" | "conclusion">): FakeRun {
    const list = this.runs.get(repo) ?? [];
    const id = run.id ?? this.#nextId++;
    const full: FakeRun = {
      id,
      name: "CI",
      head_branch: "main",
      run_number: list.length + 1,
      created_at: new Date(Date.UTC(2026, 2, 1) + id * 60_000).toISOString(),
      updated_at: new Date(Date.UTC(2026, 2, 1) + id * 60_000 + 30_000).toISOString(),
      ...run,
    };
    list.push(full);
    this.runs.set(repo, list);
    return full;
  }

  setRun(repo: string, id: number, change: Partial<FakeRun>): void {
    const run = this.runs.get(repo)?.find((r) => r.id === id);
    if (!run) throw new Error(`no run ${id} in ${repo}`);
    Object.assign(run, change);
  }

  addDeployment(repo: string, d: Omit<FakeDeployment, "id"> & { id?: number }): void {
    const list = this.deployments.get(repo) ?? [];
    list.push({ id: d.id ?? this.#nextId++, ...d });
    this.deployments.set(repo, list);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
