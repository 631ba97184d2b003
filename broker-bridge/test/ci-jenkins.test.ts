// The Jenkins provider against a loopback fake: folder paths, results, building, auth.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import { jenkinsBuildState } from "../src/ci/providers/jenkins";
import { JenkinsFake } from "./fakes/ci-jenkins-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps Jenkins results", (t) => {
  t.is(jenkinsBuildState(true, null), "building");
  t.is(jenkinsBuildState(false, "SUCCESS"), "passing");
  t.is(jenkinsBuildState(false, "UNSTABLE"), "failing");
  t.is(jenkinsBuildState(false, "FAILURE"), "failing");
  t.is(jenkinsBuildState(false, "NOT_BUILT"), "cancelled");
  t.is(jenkinsBuildState(false, "ABORTED"), "cancelled");
  t.is(jenkinsBuildState(false, null), "unknown");
});

test("reads a job in a folder with Basic auth; a change and a 304; a never-built job; a missing job", async (t) => {
  const fake = await JenkinsFake.start();
  t.teardown(() => fake.close());
  fake.add("team/api", { number: 1, result: "SUCCESS", building: false });
  fake.add("team/api", { number: 2, result: null, building: true });
  fake.jobs.set("team/new", []);
  const { provider, http } = providerFor({ provider: "jenkins", job: "team/api", base_url: fake.url, user: "ci-bot", token_env: "JT" }, { env: { JT: "11abc" } });
  const first = await provider.poll();
  t.deepEqual(
    first.builds.map((b) => [b.id, b.state]),
    [
      ["2", "building"],
      ["1", "passing"],
    ],
  );
  t.is(first.builds[1]?.finished_at, new Date(Date.UTC(2026, 2, 1) + 600_000 + 90_000).toISOString());
  t.is(fake.server.requests[0]?.path, "/job/team/job/api/api/json");
  t.is(fake.server.requests[0]?.headers.authorization, `Basic ${Buffer.from("ci-bot:11abc").toString("base64")}`);
  await provider.poll();
  t.is(http.stats.notModified, 1);
  Object.assign(fake.jobs.get("team/api")?.[1] ?? {}, { building: false, result: "FAILURE", duration: 5000 });
  t.is((await provider.poll()).builds[0]?.state, "failing");
  t.deepEqual((await providerFor({ provider: "jenkins", job: "team/new", base_url: fake.url }).provider.poll()).builds, []);
  const missing = await t.throwsAsync(providerFor({ provider: "jenkins", job: "nope", base_url: fake.url }).provider.poll(), { instanceOf: CiHttpError });
  t.is(missing?.status, 404);
});

test("a base_url is required (Jenkins is self-hosted)", (t) => {
  t.throws(() => providerFor({ provider: "jenkins", job: "x" }), { message: /base_url: is required for jenkins/ });
});
