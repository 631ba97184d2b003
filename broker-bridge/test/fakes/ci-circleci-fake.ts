// A fake CircleCI API v2: project pipelines (by branch) and each pipeline's workflows, paged by
// next_page_token, Circle-Token checked.

import { FakeCiServer } from "./ci-fake-server";

export interface FakeWorkflow {
  id: string;
  name: string;
  status: string;
  created_at: string;
  stopped_at: string | null;
}

export class CircleciFake {
  /** Newest last. */
  readonly pipelines: { id: string; number: number; branch: string; workflows: FakeWorkflow[] }[] = [];
  token: string | null = null;
  private constructor(readonly server: FakeCiServer) {}

  static async start(): Promise<CircleciFake> {
    const server = await FakeCiServer.start();
    const fake = new CircleciFake(server);
    const page = <T>(items: T[], token: string | null, size: number) => {
      const start = token === null ? 0 : Number(token);
      return { items: items.slice(start, start + size), next_page_token: start + size < items.length ? String(start + size) : null };
    };
    const unauthorized = (h: Record<string, unknown>) => fake.token !== null && h["circle-token"] !== fake.token;
    server.route("GET", /^\/api\/v2\/project\/([^/]+)\/([^/]+)\/([^/]+)\/pipeline$/, (req, m) => {
      if (unauthorized(req.headers)) return { status: 401, body: { message: "You must log in first." } };
      const branch = req.url.searchParams.get("branch");
      const list = [...fake.pipelines]
        .reverse()
        .filter((p) => branch === null || p.branch === branch)
        .map((p) => ({
          id: p.id,
          number: p.number,
          state: "created",
          created_at: "2026-03-01T10:00:00Z",
          project_slug: `${m[1]}/${m[2]}/${m[3]}`,
          vcs: { branch: p.branch, revision: "e".repeat(40) },
        }));
      return { body: page(list, req.url.searchParams.get("page-token"), 2) };
    });
    server.route("GET", /^\/api\/v2\/pipeline\/([^/]+)\/workflow$/, (req, m) => {
      if (unauthorized(req.headers)) return { status: 401, body: { message: "You must log in first." } };
      const p = fake.pipelines.find((x) => x.id === m[1]);
      if (!p) return { status: 404, body: { message: "Pipeline not found." } };
      return {
        body: page(
          p.workflows.map((w) => ({ ...w, pipeline_id: p.id, pipeline_number: p.number, project_slug: "gh/acme/app" })),
          req.url.searchParams.get("page-token"),
          20,
        ),
      };
    });
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
