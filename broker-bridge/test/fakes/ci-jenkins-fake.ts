// A fake Jenkins JSON API: /job/a/job/b/api/json?tree=builds[...]{0,N} with results SUCCESS,
// UNSTABLE, FAILURE, NOT_BUILT, ABORTED, null while building; times in ms.

import { FakeCiServer } from "./ci-fake-server";

export interface FakeJenkinsBuild {
  number: number;
  result: "SUCCESS" | "UNSTABLE" | "FAILURE" | "NOT_BUILT" | "ABORTED" | null;
  building: boolean;
  timestamp: number;
  duration: number;
}

export class JenkinsFake {
  readonly jobs = new Map<string, FakeJenkinsBuild[]>();
  private constructor(readonly server: FakeCiServer) {}

  static async start(): Promise<JenkinsFake> {
    const server = await FakeCiServer.start();
    const fake = new JenkinsFake(server);
    server.route("GET", /^((?:\/job\/[^/]+)+)\/api\/json$/, (req, m) => {
      const job = (m[1] ?? "")
        .split("/job/")
        .filter((s) => s !== "")
        .map(decodeURIComponent)
        .join("/");
      const builds = fake.jobs.get(job);
      if (!builds) return { status: 404, body: "<html><body>Not Found</body></html>" };
      const limit = Number(/\{0,(\d+)\}/.exec(req.url.searchParams.get("tree") ?? "")?.[1] ?? 100);
      const list = [...builds]
        .sort((a, b) => b.number - a.number)
        .slice(0, limit)
        .map((b) => ({ _class: "org.jenkinsci.plugins.workflow.job.WorkflowRun", ...b, url: `${server.url}/job/${job}/${b.number}/` }));
      return { body: { _class: "org.jenkinsci.plugins.workflow.job.WorkflowJob", builds: list } };
    });
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  add(job: string, build: Omit<FakeJenkinsBuild, "timestamp" | "duration"> & Partial<FakeJenkinsBuild>): void {
    const list = this.jobs.get(job) ?? [];
    list.push({ timestamp: Date.UTC(2026, 2, 1) + build.number * 600_000, duration: build.building ? 0 : 90_000, ...build });
    this.jobs.set(job, list);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
