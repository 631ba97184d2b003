// Buildkite REST API v2 (ci-apis.md): a pipeline's builds on a branch, Bearer token. Rate limit
// 200 requests a minute per organisation, told by RateLimit-* headers (reset in seconds from now).

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, authBearer, defineProvider, listAt, num, rec, seg, str } from "./provider";

export interface BuildkiteOptions {
  org: string;
  /** The pipeline's slug. */
  slug: string;
  per_page: number;
}

/**
 * Build state (Buildkite docs, "Builds API"): scheduled, creating, waiting (on a dependency) and
 * running are on their way; blocked waits at a block step (a person unblocks it); failing means a
 * job failed while others run; canceling/canceled, skipped and not_run say nothing about the code.
 */
export function buildkiteState(state: unknown): BuildState {
  switch (state) {
    case "scheduled":
    case "creating":
    case "waiting":
    case "running":
      return "building";
    case "blocked":
      return "awaiting";
    case "passed":
      return "passing";
    case "failed":
    case "failing":
    case "waiting_failed":
      return "failing";
    case "canceled":
    case "canceling":
    case "skipped":
    case "not_run":
      return "cancelled";
    default:
      return "unknown";
  }
}

export const buildkite = defineProvider<BuildkiteOptions>({
  kind: "buildkite",
  defaultBaseUrl: "https://api.buildkite.com",
  keys: ["org", "slug", "per_page"],
  check(f) {
    const org = f.string("org", { min: 1, max: 200 });
    const slug = f.string("slug", { min: 1, max: 200 });
    const perPage = f.optionalInteger("per_page", 1, 100) ?? 10;
    return { org, slug, per_page: perPage };
  },
  create(p, { http }): CiProvider {
    const o = p.options;
    const q = new URLSearchParams({ per_page: String(o.per_page) });
    if (p.branch !== null) q.set("branch", p.branch);
    const url = `${p.base_url}/v2/organizations/${seg(o.org)}/pipelines/${seg(o.slug)}/builds?${q}`;
    return {
      async poll() {
        const { body } = await http.getJson(url, authBearer(p.token));
        const builds = listAt(body, null, url).map((item): Build => {
          const b = rec(item);
          const build: Build = {
            provider: "buildkite",
            pipeline: p.name,
            id: str(b.id) ?? "?",
            state: buildkiteState(b.state),
            branch: str(b.branch),
            url: str(b.web_url),
            started_at: isoOrNull(b.started_at ?? b.created_at),
            finished_at: isoOrNull(b.finished_at),
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
