// A fake Bamboo REST API: the deploy dashboard and environment results (JSON with
// Accept: application/json, XML otherwise, as Bamboo does); dates in epoch ms.

import { FakeCiServer } from "./ci-fake-server";

export interface FakeBambooResult {
  id: number;
  deploymentVersionName: string;
  deploymentState: "SUCCESS" | "FAILED" | "UNKNOWN";
  lifeCycleState: "PENDING" | "QUEUED" | "IN_PROGRESS" | "FINISHED" | "NOT_BUILT";
  startedDate: number;
  finishedDate?: number;
}

export class BambooFake {
  /** Environment id -> name and results (newest first). */
  readonly environments = new Map<number, { name: string; results: FakeBambooResult[] }>();
  private constructor(readonly server: FakeCiServer) {}

  static async start(project = { id: 1540097, name: "Shop" }): Promise<BambooFake> {
    const server = await FakeCiServer.start();
    const fake = new BambooFake(server);
    const json = (h: Record<string, unknown>) => String(h.accept ?? "").includes("application/json");
    server.route("GET", /^\/rest\/api\/latest\/deploy\/dashboard$/, (req) => {
      if (!json(req.headers)) return { body: "<deploymentProjectStatusForDashboards><deploymentProjectStatusForDashboard/></deploymentProjectStatusForDashboards>" };
      return {
        body: [
          {
            deploymentProject: { id: project.id, name: project.name, planKey: { key: "SHOP-BUILD" } },
            environmentStatuses: [...fake.environments].map(([id, e]) => ({
              environment: { id, name: e.name, deploymentProjectId: project.id },
              ...(e.results[0] ? { deploymentResult: e.results[0] } : {}),
            })),
          },
        ],
      };
    });
    server.route("GET", /^\/rest\/api\/latest\/deploy\/environment\/(\d+)\/results$/, (req, m) => {
      const env = fake.environments.get(Number(m[1]));
      if (!env) return { status: 404, body: { message: "Environment not found", "status-code": 404 } };
      const max = Number(req.url.searchParams.get("max-result") ?? 25);
      return { body: { results: env.results.slice(0, max), size: env.results.length, "start-index": 0, "max-result": max } };
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
