// A fake Codeship API v2: POST /v2/auth with Basic auth gives an access token for about an hour;
// builds need it as a Bearer token; over 60 requests a minute it answers 403.

import { FakeCiServer } from "./ci-fake-server";

export class CodeshipFake {
  readonly builds: { uuid: string; status: string; branch: string; queued_at: string; finished_at: string | null }[] = [];
  authCount = 0;
  private constructor(readonly server: FakeCiServer) {}

  static async start(user: string, password: string, now: () => number = Date.now): Promise<CodeshipFake> {
    const server = await FakeCiServer.start();
    const fake = new CodeshipFake(server);
    const token = "cs-token-1";
    server.route("POST", /^\/v2\/auth$/, (req) => {
      if (req.headers.authorization !== `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`) return { status: 401, body: { errors: ["Unauthorized"] } };
      fake.authCount++;
      return { body: { access_token: token, organizations: [{ uuid: "org-uuid", name: "acme", scopes: ["build.read"] }], expires_at: Math.floor(now() / 1000) + 3600 } };
    });
    server.route("GET", /^\/v2\/organizations\/([^/]+)\/projects\/([^/]+)\/builds$/, (req) => {
      if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { errors: ["Unauthorized"] } };
      return {
        body: {
          builds: [...fake.builds].reverse().map((b) => ({ ...b, commit_sha: "1".repeat(40), project_uuid: "proj", organization_uuid: "org-uuid" })),
          total: fake.builds.length,
          per_page: 30,
          page: 1,
        },
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
