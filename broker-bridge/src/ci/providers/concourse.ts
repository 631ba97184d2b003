// Concourse (ci-apis.md): GET /api/v1/teams/{team}/pipelines/{p}/jobs gives each job's
// finished_build and next_build; times are unix seconds. Bearer token (from `fly login`).

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, authBearer, defineProvider, listAt, num, rec, seg, str, stringList } from "./provider";

export interface ConcourseOptions {
  team: string;
  /** The Concourse pipeline's name. */
  name: string;
  /** Jobs to watch; empty: all. */
  jobs: string[];
}

/** Build status (Concourse atc/build.go): pending and started are on their way; errored is an
 *  infrastructure error, shown as failing (a CCTray client shows it as Exception). */
export function concourseState(status: unknown): BuildState {
  switch (status) {
    case "pending":
    case "started":
      return "building";
    case "succeeded":
      return "passing";
    case "failed":
    case "errored":
      return "failing";
    case "aborted":
      return "cancelled";
    default:
      return "unknown";
  }
}

const seconds = (value: unknown): string | null => {
  const n = num(value);
  return n === undefined || n === 0 ? null : isoOrNull(n * 1000);
};

export const concourse = defineProvider<ConcourseOptions>({
  kind: "concourse",
  defaultBaseUrl: null,
  keys: ["team", "name", "jobs"],
  check(f) {
    const team = f.optionalString("team", { min: 1, max: 200 }) ?? "main";
    const name = f.string("name", { min: 1, max: 200 });
    const jobs = stringList(f, "jobs");
    return { team, name, jobs };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const url = `${p.base_url}/api/v1/teams/${seg(o.team)}/pipelines/${seg(o.name)}/jobs`;
    const toBuild = (value: unknown): Build | null => {
      const b = rec(value);
      const id = str(b.id);
      if (id === null) return null;
      const job = str(b.job_name) ?? "?";
      const build: Build = {
        provider: "concourse",
        pipeline: p.name,
        id,
        state: concourseState(b.status),
        branch: p.branch,
        url: `${p.base_url}/teams/${seg(o.team)}/pipelines/${seg(o.name)}/jobs/${seg(job)}/builds/${seg(str(b.name) ?? id)}`,
        started_at: seconds(b.start_time),
        finished_at: seconds(b.end_time),
        workflow: job,
      };
      const n = Number(b.name);
      if (Number.isInteger(n)) build.number = n;
      return build;
    };
    return {
      async poll() {
        const { body } = await http.getJson(url, authBearer(p.token));
        const builds: Build[] = [];
        for (const item of listAt(body, null, url)) {
          const job = rec(item);
          if (o.jobs.length > 0 && !o.jobs.includes(str(job.name) ?? "")) continue;
          // Newest first: the running one, then the last finished one.
          for (const b of [job.next_build, job.finished_build]) {
            const build = toBuild(b);
            if (build !== null) builds.push(build);
          }
        }
        return { builds, deployments: [] };
      },
    };
  },
});
