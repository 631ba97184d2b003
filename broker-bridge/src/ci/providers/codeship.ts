// Codeship API v2 (ci-apis.md). The service reached its end of life on 2026-01-31, so this
// provider is kept small: Basic auth for an hour's access token, then the project's builds.

import type { Build, BuildState } from "../../builds";
import { isoOrNull } from "../../builds";
import { type CiProvider, authBearer, defineProvider, listAt, rec, requireEnv, seg, str } from "./provider";

export interface CodeshipOptions {
  org: string;
  project: string;
  username: string | null;
  password: string | null;
}

/** Build status: initiated, waiting and testing run; blocked is held back (a paused project or
 *  a full plan), so it has not run yet; stopped and ignored say nothing about the code. */
export function codeshipState(status: unknown): BuildState {
  switch (status) {
    case "initiated":
    case "waiting":
    case "testing":
    case "blocked":
      return "building";
    case "success":
      return "passing";
    case "error":
    case "infrastructure_failure":
      return "failing";
    case "stopped":
    case "ignored":
      return "cancelled";
    default:
      return "unknown";
  }
}

export const codeship = defineProvider<CodeshipOptions>({
  kind: "codeship",
  defaultBaseUrl: "https://api.codeship.com",
  keys: ["org", "project", "username_env", "password_env"],
  check(f, at, env) {
    const org = f.string("org", { min: 1, max: 100 });
    const project = f.string("project", { min: 1, max: 100 });
    const username = requireEnv(f, at, "username_env", env);
    const password = requireEnv(f, at, "password_env", env);
    return { org, project, username, password };
  },
  create(p, { http, now }): CiProvider {
    const o = p.options;
    let token: { value: string; expiresAt: number } | null = null;
    const accessToken = async (): Promise<string | null> => {
      if (o.username === null || o.password === null) return p.token;
      // Renew a minute early: the token lasts about an hour.
      if (token !== null && token.expiresAt - 60_000 > now()) return token.value;
      const basic = Buffer.from(`${o.username}:${o.password}`).toString("base64");
      const answer = await http.post(`${p.base_url}/v2/auth`, "", { Authorization: `Basic ${basic}`, Accept: "application/json" });
      const body = rec(JSON.parse(answer.text));
      const value = str(body.access_token) ?? "";
      const expires = typeof body.expires_at === "number" ? body.expires_at * 1000 : now() + 3_600_000;
      token = { value, expiresAt: expires };
      return value;
    };
    const url = `${p.base_url}/v2/organizations/${seg(o.org)}/projects/${seg(o.project)}/builds`;
    return {
      async poll() {
        const { body } = await http.getJson(url, authBearer(await accessToken()));
        const builds = listAt(body, "builds", url)
          .map(rec)
          .filter((b) => p.branch === null || b.branch === p.branch)
          .map(
            (b): Build => ({
              provider: "codeship",
              pipeline: p.name,
              id: str(b.uuid) ?? "?",
              state: codeshipState(b.status),
              branch: str(b.branch),
              url: null,
              started_at: isoOrNull(b.queued_at),
              finished_at: isoOrNull(b.finished_at),
            }),
          );
        return { builds, deployments: [] };
      },
    };
  },
});
