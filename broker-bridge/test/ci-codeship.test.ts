// The Codeship provider (API v2, end of life 2026-01-31) against a loopback fake: one auth for the
// token's hour, then builds filtered by branch.

import test from "ava";
import { codeshipState } from "../src/ci/providers/codeship";
import { CodeshipFake } from "./fakes/ci-codeship-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps build statuses", (t) => {
  for (const s of ["initiated", "waiting", "testing", "blocked"]) t.is(codeshipState(s), "building", s);
  t.is(codeshipState("success"), "passing");
  t.is(codeshipState("error"), "failing");
  t.is(codeshipState("infrastructure_failure"), "failing");
  t.is(codeshipState("stopped"), "cancelled");
  t.is(codeshipState("ignored"), "cancelled");
});

test("authenticates once per token lifetime and reads the branch's builds", async (t) => {
  let now = Date.UTC(2026, 0, 10);
  const fake = await CodeshipFake.start("bot", "pw", () => now);
  t.teardown(() => fake.close());
  fake.builds.push({ uuid: "b1", status: "success", branch: "main", queued_at: "2026-01-10T09:00:00Z", finished_at: "2026-01-10T09:05:00Z" });
  fake.builds.push({ uuid: "b2", status: "error", branch: "feature", queued_at: "2026-01-10T10:00:00Z", finished_at: "2026-01-10T10:05:00Z" });
  const { provider } = providerFor(
    { provider: "codeship", org: "org-uuid", project: "proj", base_url: fake.url, username_env: "CU", password_env: "CP" },
    { env: { CU: "bot", CP: "pw" }, now: () => now },
  );
  t.deepEqual(
    (await provider.poll()).builds.map((b) => [b.id, b.state]),
    [["b1", "passing"]],
  );
  await provider.poll();
  t.is(fake.authCount, 1);
  now += 3_600_000;
  await provider.poll();
  t.is(fake.authCount, 2, "a new token once the hour is over");
});

test("a missing credential fails at start, naming the key", (t) => {
  t.throws(() => providerFor({ provider: "codeship", org: "o", project: "p", username_env: "NOPE" }), { message: /ci\.pipelines\.p\.username_env: environment variable NOPE is not set/ });
});
