// The contract every CI provider keeps, run against each registered provider and its loopback
// fake (test/fakes): the first poll reads the current state, a change on the server shows in the
// next poll, an unchanged answer (a 304 where the API sends ETags) gives the same picture, and a
// 5xx or a garbage answer is an error, never the last good answer passed off as current. A new
// provider fails the first test here until it brings its rig; its own file tests the rest.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import type { BuildState } from "../src/builds";
import { PROVIDERS } from "../src/ci/providers/index";
import { BambooFake } from "./fakes/ci-bamboo-fake";
import { BuildkiteFake } from "./fakes/ci-buildkite-fake";
import { CctrayFake } from "./fakes/ci-cctray-fake";
import { CircleciFake } from "./fakes/ci-circleci-fake";
import { CodeshipFake } from "./fakes/ci-codeship-fake";
import { ConcourseFake } from "./fakes/ci-concourse-fake";
import type { FakeCiServer } from "./fakes/ci-fake-server";
import { GithubFake } from "./fakes/ci-github-fake";
import { GitlabFake } from "./fakes/ci-gitlab-fake";
import { JenkinsFake } from "./fakes/ci-jenkins-fake";
import { providerFor } from "./fakes/ci-provider-harness";

/** A provider's fake with one finished passing build, and a way to make that build fail. */
interface Rig {
  server: FakeCiServer;
  pipeline: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  fail(): void;
  close(): Promise<void>;
}

const T0 = "2026-03-01T10:00:00Z";
const T1 = "2026-03-01T10:05:00Z";
const RIGS: Record<string, () => Promise<Rig>> = {
  async github() {
    const fake = await GithubFake.start();
    const run = fake.addRun("acme/api", { status: "completed", conclusion: "success" });
    return {
      server: fake.server,
      pipeline: { provider: "github", repo: "acme/api", base_url: fake.url },
      fail: () => fake.setRun("acme/api", run.id, { conclusion: "failure" }),
      close: () => fake.close(),
    };
  },
  async gitlab() {
    const fake = await GitlabFake.start();
    const p = fake.addPipeline("acme/web", { status: "success" });
    return {
      server: fake.server,
      pipeline: { provider: "gitlab", project: "acme/web", base_url: fake.url },
      fail: () => {
        p.status = "failed";
      },
      close: () => fake.close(),
    };
  },
  async jenkins() {
    const fake = await JenkinsFake.start();
    fake.add("api", { number: 1, result: "SUCCESS", building: false });
    return {
      server: fake.server,
      pipeline: { provider: "jenkins", job: "api", base_url: fake.url },
      fail: () => void Object.assign(fake.jobs.get("api")?.[0] ?? {}, { result: "FAILURE" }),
      close: () => fake.close(),
    };
  },
  async circleci() {
    const fake = await CircleciFake.start();
    fake.token = "circle-secret";
    const workflow = { id: "w1", name: "build", status: "success", created_at: T0, stopped_at: T1 };
    fake.pipelines.push({ id: "p1", number: 1, branch: "main", workflows: [workflow] });
    return {
      server: fake.server,
      pipeline: { provider: "circleci", slug: "gh/acme/app", base_url: fake.url, token_env: "CT" },
      env: { CT: "circle-secret" },
      fail: () => {
        workflow.status = "failed";
      },
      close: () => fake.close(),
    };
  },
  async buildkite() {
    const fake = await BuildkiteFake.start();
    fake.builds.push({ id: "b1", number: 1, state: "passed", branch: "main", created_at: T0, started_at: T0, finished_at: T1 });
    return {
      server: fake.server,
      pipeline: { provider: "buildkite", org: "acme", slug: "shop", base_url: fake.url, token_env: "BK" },
      env: { BK: "bkua_x" },
      fail: () => {
        (fake.builds[0] as { state: string }).state = "failed";
      },
      close: () => fake.close(),
    };
  },
  async concourse() {
    const fake = await ConcourseFake.start();
    const build = { id: 11, name: "7", status: "succeeded" as "succeeded" | "failed", start_time: 1772355600, end_time: 1772355700 };
    fake.jobs.set("unit", { finished_build: build, next_build: null });
    return {
      server: fake.server,
      pipeline: { provider: "concourse", name: "shop", base_url: fake.url },
      fail: () => {
        build.status = "failed";
      },
      close: () => fake.close(),
    };
  },
  async bamboo() {
    const fake = await BambooFake.start();
    const at = Date.parse(T1);
    const result = {
      id: 501,
      deploymentVersionName: "release-12",
      deploymentState: "SUCCESS" as "SUCCESS" | "FAILED",
      lifeCycleState: "FINISHED" as const,
      startedDate: at - 60_000,
      finishedDate: at,
    };
    fake.environments.set(11, { name: "Production", results: [result] });
    return {
      server: fake.server,
      pipeline: { provider: "bamboo", project: "Shop", base_url: fake.url, token_env: "BT" },
      env: { BT: "pat" },
      fail: () => {
        result.deploymentState = "FAILED";
      },
      close: () => fake.close(),
    };
  },
  async codeship() {
    const fake = await CodeshipFake.start("bot", "pw");
    fake.builds.push({ uuid: "b1", status: "success", branch: "main", queued_at: T0, finished_at: T1 });
    return {
      server: fake.server,
      pipeline: { provider: "codeship", org: "org-uuid", project: "proj", base_url: fake.url, username_env: "CU", password_env: "CP" },
      env: { CU: "bot", CP: "pw" },
      fail: () => {
        (fake.builds[0] as { status: string }).status = "error";
      },
      close: () => fake.close(),
    };
  },
  async cctray() {
    const fake = await CctrayFake.start();
    const project = { name: "shop", activity: "Sleeping", lastBuildStatus: "Success", lastBuildLabel: "41", lastBuildTime: T1, webUrl: "https://gocd.example/41" };
    fake.projects = [project];
    return {
      server: fake.server,
      pipeline: { provider: "cctray", base_url: fake.url, projects: ["shop"] },
      fail: () => {
        project.lastBuildStatus = "Failure";
      },
      close: () => fake.close(),
    };
  },
};

const newest = (states: { state: BuildState }[]) => states[0]?.state;

test("every registered provider has a contract rig (a new provider brings one)", (t) => {
  t.deepEqual([...PROVIDERS.keys()].sort(), Object.keys(RIGS).sort());
});

for (const kind of Object.keys(RIGS)) {
  test(`${kind}: reads the current state, sees a change, reuses an unchanged answer, and reports 5xx and garbage as errors`, async (t) => {
    const rig = await (RIGS[kind] as () => Promise<Rig>)();
    t.teardown(() => rig.close());
    const { provider, http } = providerFor(rig.pipeline, { env: rig.env ?? {} });

    const first = await provider.poll();
    t.is(newest(first.builds), "passing", "the first poll reads what is there");

    const again = await provider.poll();
    t.deepEqual(again, first, "an unchanged answer gives the same picture");
    t.is(http.stats.notModified, rig.server.notModified, "every 304 the server sent was answered from the cache");

    rig.fail();
    const changed = await provider.poll();
    t.is(newest(changed.builds), "failing", "a change on the server shows in the next poll");

    rig.server.mode = "error500";
    const down = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
    t.is(down?.status, 500);
    rig.server.mode = "garbage";
    await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError }, "garbage is an error, not the last good answer");
    rig.server.mode = "normal";
    t.is(newest((await provider.poll()).builds), "failing", "and it recovers");
  });
}

test("providers with a webhook refuse a delivery without the secret and match only their own pipelines", (t) => {
  const hooks = [...PROVIDERS.values()].filter((d) => d.webhook !== undefined);
  t.deepEqual(
    hooks.map((d) => d.kind),
    ["github", "gitlab"],
  );
  for (const d of hooks) {
    const hook = d.webhook as NonNullable<typeof d.webhook>;
    t.not(hook.verify("right-secret", Buffer.from("{}"), {}), null, `${d.kind}: no proof is refused`);
    t.deepEqual(hook.deliveries(hook.event({}), {}, []), [], `${d.kind}: nothing for no pipelines`);
  }
});
