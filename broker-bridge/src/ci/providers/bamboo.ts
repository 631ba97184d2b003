// Bamboo deployments (ci-apis.md): the deploy dashboard gives each environment's current
// deployment result (one "build" per environment on the ring), and each environment's results
// are its deployment history (counters). Bamboo answers XML unless asked for JSON.

import type { Build, BuildState, Deployment } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, authBearer, defineProvider, listAt, num, rec, seg, str, stringList } from "./provider";

export interface BambooOptions {
  /** The deployment project's name or numeric id. */
  project: string;
  /** Environment names to watch; empty: all of the project's. */
  environments: string[];
  /** Results read per environment for the deploy history. */
  history: number;
}

/**
 * lifeCycleState (PENDING, QUEUED, IN_PROGRESS, FINISHED, NOT_BUILT) says whether it runs;
 * deploymentState (SUCCESS, FAILED, UNKNOWN, and REPLACED/NEVER on older servers) says how it
 * ended once FINISHED.
 */
export function bambooState(lifeCycleState: unknown, deploymentState: unknown): BuildState {
  switch (lifeCycleState) {
    case "PENDING":
    case "QUEUED":
    case "IN_PROGRESS":
      return "building";
    case "NOT_BUILT":
      return "cancelled";
    case "FINISHED":
      break;
    default:
      return "unknown";
  }
  switch (deploymentState) {
    case "SUCCESS":
      return "passing";
    case "FAILED":
      return "failing";
    default:
      return "unknown";
  }
}

export const bamboo = defineProvider<BambooOptions>({
  kind: "bamboo",
  defaultBaseUrl: null,
  keys: ["project", "environments", "history"],
  check(f) {
    const project =
      f.nested("project", (v, at) =>
        typeof v === "number" || (typeof v === "string" && v.length > 0 && v.length <= 300)
          ? { ok: true, value: String(v) }
          : { ok: false, field: at, error: "must be a deployment project name or id" },
      ) ?? "";
    const environments = stringList(f, "environments");
    const history = f.optionalInteger("history", 1, 100) ?? 10;
    return { project, environments, history };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const headers = { Accept: "application/json", ...authBearer(p.token) };
    const api = `${p.base_url}/rest/api/latest`;
    return {
      async poll() {
        const dashboardUrl = `${api}/deploy/dashboard`;
        const dashboard = listAt((await http.getJson(dashboardUrl, headers)).body, null, dashboardUrl);
        const project = dashboard.map(rec).find((d) => {
          const dp = rec(d.deploymentProject);
          return str(dp.name) === o.project || str(dp.id) === o.project;
        });
        if (project === undefined) return { builds: [], deployments: [] };
        const builds: Build[] = [];
        const deployments: Deployment[] = [];
        for (const item of listAt(project, "environmentStatuses", dashboardUrl)) {
          const status = rec(item);
          const env = rec(status.environment);
          const envName = str(env.name) ?? "?";
          const envId = str(env.id);
          if (envId === null || (o.environments.length > 0 && !o.environments.includes(envName))) continue;
          const result = rec(status.deploymentResult);
          const resultId = str(result.id);
          if (resultId !== null) {
            builds.push({
              provider: "bamboo",
              pipeline: p.name,
              id: resultId,
              state: bambooState(result.lifeCycleState, result.deploymentState),
              branch: p.branch,
              url: `${p.base_url}/deploy/viewDeploymentResult.action?deploymentResultId=${seg(resultId)}`,
              started_at: isoOrNull(num(result.startedDate)),
              finished_at: isoOrNull(num(result.finishedDate)),
              workflow: envName,
            });
          }
          const resultsUrl = `${api}/deploy/environment/${seg(envId)}/results?max-result=${o.history}`;
          for (const r of listAt((await http.getJson(resultsUrl, headers)).body, "results", resultsUrl).map(rec)) {
            const state = bambooState(r.lifeCycleState, r.deploymentState);
            const at = isoOrNull(num(r.finishedDate));
            if ((state !== "passing" && state !== "failing") || at === null) continue;
            deployments.push({ provider: "bamboo", pipeline: p.name, environment: envName, id: str(r.id) ?? "?", at, ok: state === "passing" });
          }
        }
        return { builds, deployments };
      },
    };
  },
});
