// The Bamboo provider against a loopback fake: the deploy dashboard (JSON only when asked) and
// each environment's results as deploy history.

import test from "ava";
import { bambooState } from "../src/ci/providers/bamboo";
import { BambooFake } from "./fakes/ci-bamboo-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps life cycle and deployment states", (t) => {
  t.is(bambooState("IN_PROGRESS", "UNKNOWN"), "building");
  t.is(bambooState("QUEUED", "UNKNOWN"), "building");
  t.is(bambooState("FINISHED", "SUCCESS"), "passing");
  t.is(bambooState("FINISHED", "FAILED"), "failing");
  t.is(bambooState("NOT_BUILT", "UNKNOWN"), "cancelled");
  t.is(bambooState("FINISHED", "REPLACED"), "unknown");
});

test("environments are the pipeline's parts; their results are deployments", async (t) => {
  const fake = await BambooFake.start();
  t.teardown(() => fake.close());
  const friday = Date.parse("2026-02-27T15:30:00Z");
  fake.environments.set(11, {
    name: "Production",
    results: [
      { id: 501, deploymentVersionName: "release-12", deploymentState: "SUCCESS", lifeCycleState: "FINISHED", startedDate: friday - 60_000, finishedDate: friday },
      { id: 480, deploymentVersionName: "release-11", deploymentState: "FAILED", lifeCycleState: "FINISHED", startedDate: friday - 86_400_000, finishedDate: friday - 86_000_000 },
    ],
  });
  fake.environments.set(12, { name: "Staging", results: [{ id: 510, deploymentVersionName: "release-13", deploymentState: "UNKNOWN", lifeCycleState: "IN_PROGRESS", startedDate: friday + 60_000 }] });
  const { provider } = providerFor({ provider: "bamboo", project: "Shop", base_url: fake.url, token_env: "BT" }, { env: { BT: "pat" } });
  const { builds, deployments } = await provider.poll();
  t.deepEqual(
    builds.map((b) => [b.workflow, b.id, b.state]),
    [
      ["Production", "501", "passing"],
      ["Staging", "510", "building"],
    ],
  );
  t.deepEqual(
    deployments.map((d) => [d.environment, d.id, d.ok, d.at]),
    [
      ["Production", "501", true, "2026-02-27T15:30:00.000Z"],
      ["Production", "480", false, new Date(friday - 86_000_000).toISOString()],
    ],
  );
  t.is(fake.server.requests[0]?.headers.accept, "application/json");
  t.is(fake.server.requests[0]?.headers.authorization, "Bearer pat");
});
