// The Buildkite provider against a loopback fake: states, Bearer token, RateLimit-* with a reset
// in seconds from now, 429 when the organisation's minute is spent.

import test from "ava";
import { buildkiteState } from "../src/ci/providers/buildkite";
import { BuildkiteFake } from "./fakes/ci-buildkite-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps build states", (t) => {
  for (const s of ["scheduled", "creating", "waiting", "running"]) t.is(buildkiteState(s), "building", s);
  t.is(buildkiteState("blocked"), "awaiting");
  t.is(buildkiteState("passed"), "passing");
  for (const s of ["failed", "failing", "waiting_failed"]) t.is(buildkiteState(s), "failing", s);
  for (const s of ["canceled", "canceling", "skipped", "not_run"]) t.is(buildkiteState(s), "cancelled", s);
});

test("builds on the branch, the rate limit read as seconds from now, 429 once spent", async (t) => {
  const fake = await BuildkiteFake.start({ limit: 2 });
  t.teardown(() => fake.close());
  fake.builds.push({ id: "0190-a", number: 1, state: "passed", branch: "main", created_at: "2026-03-01T10:00:00Z", started_at: "2026-03-01T10:00:05Z", finished_at: "2026-03-01T10:04:00Z" });
  fake.builds.push({ id: "0190-b", number: 2, state: "blocked", branch: "main", created_at: "2026-03-01T11:00:00Z", started_at: "2026-03-01T11:00:05Z", finished_at: null });
  const now = Date.now();
  const { provider, http } = providerFor({ provider: "buildkite", org: "acme", slug: "shop", base_url: fake.url, token_env: "BK" }, { env: { BK: "bkua_x" } });
  const { builds } = await provider.poll();
  t.deepEqual(
    builds.map((b) => [b.id, b.state]),
    [
      ["0190-b", "awaiting"],
      ["0190-a", "passing"],
    ],
  );
  t.is(fake.server.requests[0]?.headers.authorization, "Bearer bkua_x");
  t.is(http.rateLimit?.remaining, 1);
  t.true(Math.abs((http.rateLimit?.resetAt ?? 0) - (now + 60_000)) < 2000, "reset is seconds from now, not epoch");
  await provider.poll();
  await t.throwsAsync(provider.poll(), { message: /answered 429/ });
});
