// Jenkins jobs through the JSON API (ci-apis.md): GET /job/a/job/b/api/json?tree=builds[...]{0,N}.
// Reading needs no crumb; an API token with Basic auth is exempt from CSRF crumbs anyway.

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, defineProvider, listAt, num, rec, seg, str } from "./provider";

export interface JenkinsOptions {
  /** "folder/job" as shown in the URL path between /job/ segments. */
  job: string;
  /** Basic auth user for the API token in token_env. */
  user: string | null;
  history: number;
}

/**
 * result (hudson.model.Result): SUCCESS; UNSTABLE (tests failed; the CCTray plugin shows it as
 * Failure); FAILURE; NOT_BUILT and ABORTED (nothing said about the code); null while building.
 */
export function jenkinsBuildState(building: unknown, result: unknown): BuildState {
  if (building === true) return "building";
  switch (result) {
    case "SUCCESS":
      return "passing";
    case "UNSTABLE":
    case "FAILURE":
      return "failing";
    case "NOT_BUILT":
    case "ABORTED":
      return "cancelled";
    default:
      return "unknown";
  }
}

export const jenkins = defineProvider<JenkinsOptions>({
  kind: "jenkins",
  defaultBaseUrl: null,
  keys: ["job", "user", "history"],
  check(f) {
    const job = f.string("job", { min: 1, max: 300 });
    const user = f.optionalString("user", { min: 1, max: 200 }) ?? null;
    const history = f.optionalInteger("history", 1, 100) ?? 10;
    return { job, user, history };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const headers: Record<string, string> =
      p.token === null ? {} : o.user === null ? { Authorization: `Bearer ${p.token}` } : { Authorization: `Basic ${Buffer.from(`${o.user}:${p.token}`).toString("base64")}` };
    const path = o.job
      .split("/")
      .filter((s) => s !== "")
      .map((s) => `/job/${seg(s)}`)
      .join("");
    const tree = `builds[number,result,building,timestamp,duration,url]{0,${o.history}}`;
    const url = `${p.base_url}${path}/api/json?tree=${encodeURIComponent(tree)}`;
    return {
      async poll() {
        const { body } = await http.getJson(url, headers);
        // A job never built has builds: [] (and lastBuild: null).
        const builds = listAt(body, "builds", url).map((item): Build => {
          const b = rec(item);
          const state = jenkinsBuildState(b.building, b.result);
          const started = num(b.timestamp);
          const duration = num(b.duration);
          const build: Build = {
            provider: "jenkins",
            pipeline: p.name,
            id: str(b.number) ?? "?",
            state,
            branch: p.branch,
            url: str(b.url),
            started_at: isoOrNull(started),
            finished_at: state !== "building" && started !== undefined && duration !== undefined ? isoOrNull(started + duration) : null,
          };
          const n = num(b.number);
          if (n !== undefined) build.number = n;
          return build;
        });
        return { builds, deployments: [] };
      },
    };
  },
});
