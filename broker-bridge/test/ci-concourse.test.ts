// The Concourse provider against a loopback fake: jobs' finished and next builds, unix seconds.

import test from "ava";
import { concourseState } from "../src/ci/providers/concourse";
import { summarize } from "../src/ci/pipeline-health";
import { ConcourseFake } from "./fakes/ci-concourse-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps build statuses", (t) => {
  t.is(concourseState("pending"), "building");
  t.is(concourseState("started"), "building");
  t.is(concourseState("succeeded"), "passing");
  t.is(concourseState("failed"), "failing");
  t.is(concourseState("errored"), "failing");
  t.is(concourseState("aborted"), "cancelled");
});

test("each job is a part of the pipeline; one failing job makes the pipeline fail", async (t) => {
  const fake = await ConcourseFake.start();
  t.teardown(() => fake.close());
  fake.jobs.set("unit", {
    finished_build: { id: 11, name: "7", status: "succeeded", start_time: 1772355600, end_time: 1772355700 },
    next_build: { id: 12, name: "8", status: "started", start_time: 1772359200 },
  });
  fake.jobs.set("deploy", { finished_build: { id: 21, name: "3", status: "failed", start_time: 1772355600, end_time: 1772355900 }, next_build: null });
  const { provider } = providerFor({ provider: "concourse", name: "shop", base_url: fake.url });
  const { builds } = await provider.poll();
  t.deepEqual(
    builds.map((b) => [b.workflow, b.id, b.state]),
    [
      ["unit", "12", "building"],
      ["unit", "11", "passing"],
      ["deploy", "21", "failing"],
    ],
  );
  t.is(builds[1]?.finished_at, "2026-03-01T09:01:40.000Z");
  t.is(fake.server.requests[0]?.path, "/api/v1/teams/main/pipelines/shop/jobs");
  const s = summarize(builds);
  t.is(s.health, "failing");
  t.deepEqual(s.failing, ["deploy"]);
  t.true(s.building);
});
