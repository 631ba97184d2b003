// A fake Concourse API: a pipeline's jobs with finished_build and next_build; times in unix seconds.

import { FakeCiServer } from "./ci-fake-server";

export interface FakeConcourseBuild {
  id: number;
  name: string;
  status: "pending" | "started" | "succeeded" | "failed" | "errored" | "aborted";
  start_time?: number;
  end_time?: number;
}

export class ConcourseFake {
  readonly jobs = new Map<string, { finished_build: FakeConcourseBuild | null; next_build: FakeConcourseBuild | null }>();
  private constructor(readonly server: FakeCiServer) {}

  static async start(): Promise<ConcourseFake> {
    const server = await FakeCiServer.start();
    const fake = new ConcourseFake(server);
    server.route("GET", /^\/api\/v1\/teams\/([^/]+)\/pipelines\/([^/]+)\/jobs$/, (_req, m) => ({
      body: [...fake.jobs].map(([name, j], i) => ({
        id: i + 1,
        name,
        pipeline_name: m[2],
        team_name: m[1],
        finished_build: j.finished_build && { ...j.finished_build, job_name: name, pipeline_name: m[2], team_name: m[1] },
        next_build: j.next_build && { ...j.next_build, job_name: name, pipeline_name: m[2], team_name: m[1] },
      })),
    }));
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
