// Any CCTray feed (cc.xml: GoCD, Travis, Drone, Jenkins' plugin, Concourse, CircleCI...):
// <Projects><Project name activity lastBuildStatus lastBuildLabel lastBuildTime webUrl/></Projects>.
// A feed knows only the last finished build and whether one runs now.

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { CiHttpError } from "../../http/http-client";
import { type CiProvider, authBearer, defineProvider, rec, str, stringList } from "./provider";
import { lazyRequire } from "../../lazy-require";

export interface CctrayOptions {
  /** Project names to watch (exact); empty: every project in the feed. */
  projects: string[];
}

/** lastBuildStatus: Success, Failure, Exception (the build could not run), Unknown. */
export function cctrayState(lastBuildStatus: unknown): BuildState {
  switch (lastBuildStatus) {
    case "Success":
      return "passing";
    case "Failure":
    case "Exception":
      return "failing";
    default:
      return "unknown";
  }
}

// Made on the first feed read: fast-xml-parser loads only for a bridge that polls a CCTray feed.
const xml = lazyRequire<typeof import("fast-xml-parser")>("fast-xml-parser");
let parser: import("fast-xml-parser").XMLParser | undefined;

export function parseCctray(text: string, url: string): Record<string, unknown>[] {
  parser ??= new (xml().XMLParser)({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "Project" });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    throw new CiHttpError("body", "GET", url, 200, `feed is not XML (${(err as Error).message.split("\n")[0]})`, null, null, { cause: err });
  }
  const projects = rec(doc.Projects);
  if (doc.Projects === undefined) throw new CiHttpError("body", "GET", url, 200, "feed has no <Projects> element");
  return (Array.isArray(projects.Project) ? projects.Project : []).map(rec);
}

export const cctray = defineProvider<CctrayOptions>({
  kind: "cctray",
  defaultBaseUrl: null,
  keys: ["projects"],
  check(f) {
    return { projects: stringList(f, "projects", 200) };
  },
  create(p, { http }): CiProvider {
    // base_url is the feed's own URL here.
    const url = p.base_url;
    return {
      async poll() {
        const answer = await http.get(url, { Accept: "application/xml, text/xml", ...authBearer(p.token) });
        const builds: Build[] = [];
        for (const project of parseCctray(answer.text, url)) {
          const name = str(project.name);
          if (name === null || (p.options.projects.length > 0 && !p.options.projects.includes(name))) continue;
          const label = str(project.lastBuildLabel) ?? "last";
          const common = { provider: "cctray", pipeline: p.name, branch: p.branch, url: str(project.webUrl), workflow: name };
          // The feed has no id for a running build: it is "the one after the last label".
          if (project.activity === "Building") {
            builds.push({ ...common, id: `${name}#${label}+`, state: "building", started_at: null, finished_at: null });
          }
          const at = isoOrNull(project.lastBuildTime);
          builds.push({ ...common, id: `${name}#${label}`, state: cctrayState(project.lastBuildStatus), started_at: at, finished_at: at });
        }
        return { builds, deployments: [] };
      },
    };
  },
});
