// The CircleCI provider against a loopback fake: pipelines, then workflows, next_page_token.

import test from "ava";
import { circleWorkflowState } from "../src/ci/providers/circleci";
import { CircleciFake } from "./fakes/ci-circleci-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps workflow statuses", (t) => {
  t.is(circleWorkflowState("success"), "passing");
  t.is(circleWorkflowState("running"), "building");
  for (const s of ["failed", "error", "failing"]) t.is(circleWorkflowState(s), "failing", s);
  t.is(circleWorkflowState("on_hold"), "awaiting");
  t.is(circleWorkflowState("not_run"), "cancelled");
  t.is(circleWorkflowState("canceled"), "cancelled");
  t.is(circleWorkflowState("unauthorized"), "unknown");
});

test("reads the newest pipelines' workflows across pages with the Circle-Token; on_hold is awaiting", async (t) => {
  const fake = await CircleciFake.start();
  t.teardown(() => fake.close());
  fake.token = "circle-secret";
  for (let n = 1; n <= 3; n++) {
    fake.pipelines.push({
      id: `p${n}`,
      number: n,
      branch: "main",
      workflows: [{ id: `w${n}`, name: "build", status: n === 3 ? "on_hold" : "success", created_at: `2026-03-0${n}T10:00:00Z`, stopped_at: null }],
    });
  }
  const { provider, http } = providerFor({ provider: "circleci", slug: "gh/acme/app", base_url: fake.url, token_env: "CT", history: 3, max_pages: 2 }, { env: { CT: "circle-secret" } });
  const { builds } = await provider.poll();
  t.deepEqual(
    builds.map((b) => [b.id, b.state, b.number]),
    [
      ["w3", "awaiting", 3],
      ["w2", "passing", 2],
      ["w1", "passing", 1],
    ],
  );
  t.is(fake.server.count("/pipeline"), 5, "two pages of pipelines, then one request per pipeline");
  t.true(fake.server.requests.some((r) => r.url.searchParams.get("page-token") === "2"));
  await provider.poll();
  t.is(http.stats.notModified, 5);
});

test("a wrong token is a 401 error", async (t) => {
  const fake = await CircleciFake.start();
  t.teardown(() => fake.close());
  fake.token = "right";
  const { provider } = providerFor({ provider: "circleci", slug: "gh/acme/app", base_url: fake.url, token_env: "CT" }, { env: { CT: "wrong" } });
  await t.throwsAsync(provider.poll(), { message: /answered 401/ });
});
