// A fake Buildkite REST API v2: a pipeline's builds as a bare array, Bearer token, RateLimit-*
// headers with the reset in seconds from now, 429 once the organisation's minute is spent.

import { FakeCiServer, type FakeServerOptions } from "./ci-fake-server";

export interface FakeBuildkiteBuild {
  id: string;
  number: number;
  state: string;
  branch: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export class BuildkiteFake {
  readonly builds: FakeBuildkiteBuild[] = [];
  private constructor(readonly server: FakeCiServer) {}

  static async start(options: FakeServerOptions & { limit?: number } = {}): Promise<BuildkiteFake> {
    const server = await FakeCiServer.start({
      now: options.now,
      rateLimit: { prefix: "ratelimit-", reset: "delta", exhaustedStatus: 429, freeNotModified: false, limit: options.limit ?? 200, windowMs: 60_000 },
    });
    const fake = new BuildkiteFake(server);
    server.route("GET", /^\/v2\/organizations\/([^/]+)\/pipelines\/([^/]+)\/builds$/, (req, m) => {
      const branch = req.url.searchParams.get("branch");
      const perPage = Number(req.url.searchParams.get("per_page") ?? 30);
      const list = [...fake.builds]
        .sort((a, b) => b.number - a.number)
        .filter((b) => branch === null || b.branch === branch)
        .slice(0, perPage);
      return { body: list.map((b) => ({ ...b, commit: "f".repeat(40), message: "change", web_url: `https://buildkite.com/${m[1]}/${m[2]}/builds/${b.number}` })) };
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
