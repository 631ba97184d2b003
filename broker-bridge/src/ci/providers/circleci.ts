// CircleCI API v2 (ci-apis.md): the project's pipelines on a branch, then each pipeline's
// workflows. Circle-Token header; pages by next_page_token.

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, defineProvider, listAt, num, rec, seg, str } from "./provider";

export interface CircleciOptions {
  /** "gh/org/repo", "bb/org/repo" or "circleci/<org id>/<project id>". */
  slug: string;
  /** Pipelines whose workflows are read per poll. */
  history: number;
  max_pages: number;
}

/**
 * Workflow status (CircleCI API v2, "Get a pipeline's workflows"): failing means a job failed
 * while others still run; on_hold waits at an approval job; not_run and canceled say nothing
 * about the code; unauthorized means a restricted context refused to run it.
 */
export function circleWorkflowState(status: unknown): BuildState {
  switch (status) {
    case "success":
      return "passing";
    case "running":
      return "building";
    case "failed":
    case "error":
    case "failing":
      return "failing";
    case "on_hold":
      return "awaiting";
    case "not_run":
    case "canceled":
      return "cancelled";
    default:
      return "unknown";
  }
}

export const circleci = defineProvider<CircleciOptions>({
  kind: "circleci",
  defaultBaseUrl: "https://circleci.com",
  keys: ["slug", "history", "max_pages"],
  check(f) {
    const slug = f.string("slug", { min: 3, max: 300, pattern: /^[^/\s]+\/[^/\s]+\/[^/\s]+$/, patternText: "vcs/org/repo" });
    const history = f.optionalInteger("history", 1, 20) ?? 3;
    const maxPages = f.optionalInteger("max_pages", 1, 10) ?? 1;
    return { slug, history, max_pages: maxPages };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const headers: Record<string, string> = p.token === null ? {} : { "Circle-Token": p.token };
    const api = `${p.base_url}/api/v2`;

    const items = async (first: string, maxPages: number, enough: (n: number) => boolean): Promise<unknown[]> => {
      const out: unknown[] = [];
      let token: string | null = null;
      for (let page = 0; page < maxPages; page++) {
        const url: string = token === null ? first : `${first}${first.includes("?") ? "&" : "?"}page-token=${seg(token)}`;
        const { body } = await http.getJson(url, headers);
        out.push(...listAt(body, "items", url));
        token = str(rec(body).next_page_token);
        if (token === null || enough(out.length)) break;
      }
      return out;
    };

    return {
      async poll() {
        const q = p.branch === null ? "" : `?branch=${seg(p.branch)}`;
        const pipelines = (await items(`${api}/project/${o.slug.split("/").map(seg).join("/")}/pipeline${q}`, o.max_pages, (n) => n >= o.history)).slice(0, o.history);
        const builds: Build[] = [];
        for (const item of pipelines) {
          const pipeline = rec(item);
          const id = str(pipeline.id);
          if (id === null) continue;
          const workflows = await items(`${api}/pipeline/${seg(id)}/workflow`, 3, () => false);
          for (const w of workflows) {
            const wf = rec(w);
            const state = circleWorkflowState(wf.status);
            const build: Build = {
              provider: "circleci",
              pipeline: p.name,
              id: str(wf.id) ?? "?",
              state,
              branch: str(rec(pipeline.vcs).branch) ?? p.branch,
              url: `https://app.circleci.com/pipelines/${o.slug}/${str(pipeline.number) ?? ""}/workflows/${str(wf.id) ?? ""}`,
              started_at: isoOrNull(wf.created_at),
              finished_at: isoOrNull(wf.stopped_at),
              workflow: str(wf.name) ?? undefined,
            };
            const n = num(wf.pipeline_number) ?? num(pipeline.number);
            if (n !== undefined) build.number = n;
            builds.push(build);
          }
        }
        return { builds, deployments: [] };
      },
    };
  },
});
