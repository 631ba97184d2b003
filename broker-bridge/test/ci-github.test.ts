// The GitHub Actions provider against a loopback fake with GitHub's shapes, statuses, Link pages,
// ETags and rate-limit headers.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import { githubRunState } from "../src/ci/providers/github";
import { GithubFake } from "./fakes/ci-github-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps every run status and conclusion GitHub documents", (t) => {
  t.is(githubRunState("queued", null), "building");
  t.is(githubRunState("in_progress", null), "building");
  t.is(githubRunState("waiting", null), "awaiting");
  t.is(githubRunState("completed", "success"), "passing");
  for (const c of ["failure", "timed_out", "startup_failure"]) t.is(githubRunState("completed", c), "failing", c);
  for (const c of ["cancelled", "skipped", "neutral", "stale"]) t.is(githubRunState("completed", c), "cancelled", c);
  t.is(githubRunState("completed", "action_required"), "awaiting");
  t.is(githubRunState("completed", "something-new"), "unknown");
});

test("first poll reads the branch's runs with GitHub's headers; a change shows on the next poll", async (t) => {
  const fake = await GithubFake.start();
  t.teardown(() => fake.close());
  fake.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  fake.addRun("acme/api", { id: 2, status: "in_progress", conclusion: null });
  fake.addRun("acme/api", { id: 3, status: "completed", conclusion: "failure", head_branch: "feature" });
  const { provider } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url, token_env: "GH" }, { env: { GH: "ghp_secret" } });

  const first = await provider.poll();
  t.deepEqual(
    first.builds.map((b) => [b.id, b.state]),
    [
      ["2", "building"],
      ["1", "passing"],
    ],
  );
  const req = fake.server.requests[0];
  t.is(req?.headers.authorization, "Bearer ghp_secret");
  t.is(req?.headers["x-github-api-version"], "2022-11-28");
  t.is(req?.headers.accept, "application/vnd.github+json");
  t.truthy(req?.headers["user-agent"]);
  t.is(req?.url.searchParams.get("branch"), "main");

  fake.setRun("acme/api", 2, { status: "completed", conclusion: "failure" });
  const second = await provider.poll();
  t.deepEqual(
    second.builds.map((b) => [b.id, b.state]),
    [
      ["2", "failing"],
      ["1", "passing"],
    ],
  );
  t.is(second.builds[0]?.url, "https://github.com/acme/api/actions/runs/2");
});

test("an unchanged answer comes back as 304 and the cached body is reused (and counted)", async (t) => {
  const fake = await GithubFake.start();
  t.teardown(() => fake.close());
  fake.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  const { provider, http } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url });
  const first = await provider.poll();
  const again = await provider.poll();
  t.deepEqual(again, first);
  t.is(fake.server.notModified, 1);
  t.is(http.stats.notModified, 1);
  t.is(http.stats.requests, 2);
  t.is(fake.server.requests[1]?.headers["if-none-match"]?.startsWith('W/"'), true);
  // GitHub: a 304 does not count against the limit.
  t.is(http.rateLimit?.remaining, 4999);
});

test("follows Link rel=next up to max_pages", async (t) => {
  const fake = await GithubFake.start();
  t.teardown(() => fake.close());
  for (let i = 1; i <= 7; i++) fake.addRun("acme/api", { id: i, status: "completed", conclusion: "success" });
  const { provider } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url, per_page: 3, max_pages: 2 });
  const { builds } = await provider.poll();
  t.deepEqual(
    builds.map((b) => b.id),
    ["7", "6", "5", "4", "3", "2"],
  );
  t.is(fake.server.count("/actions/runs"), 2);
});

test("deployments: the newest final status decides, and a finished deployment is not asked about again", async (t) => {
  const fake = await GithubFake.start();
  t.teardown(() => fake.close());
  fake.addDeployment("acme/api", {
    id: 11,
    environment: "production",
    created_at: "2026-02-27T14:00:00Z",
    statuses: [
      { state: "in_progress", created_at: "2026-02-27T14:00:10Z" },
      { state: "success", created_at: "2026-02-27T14:05:00Z" },
    ],
  });
  fake.addDeployment("acme/api", { id: 12, environment: "production", created_at: "2026-03-02T10:00:00Z", statuses: [{ state: "in_progress", created_at: "2026-03-02T10:00:05Z" }] });
  fake.addDeployment("acme/api", { id: 13, environment: "staging", created_at: "2026-03-02T11:00:00Z", statuses: [{ state: "failure", created_at: "2026-03-02T11:01:00Z" }] });
  const { provider } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url, environments: ["production"] });
  const { deployments } = await provider.poll();
  t.deepEqual(deployments, [{ provider: "github", pipeline: "p", environment: "production", id: "11", at: "2026-02-27T14:05:00.000Z", ok: true }]);
  await provider.poll();
  t.is(fake.server.count("/deployments/11/statuses"), 1);
  t.is(fake.server.count("/deployments/12/statuses"), 2);
});

test("5xx, garbage bodies, answers without the runs array and exhaustion are CiHttpErrors naming method, URL and status", async (t) => {
  const fake = await GithubFake.start({ limit: 2 });
  t.teardown(() => fake.close());
  const { provider } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url, token_env: "GH" }, { env: { GH: "t" } });
  fake.server.mode = "error500";
  const e500 = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
  t.regex(e500?.message ?? "", /^GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/api\/actions\/runs\?.* answered 500/);
  fake.server.mode = "garbage";
  const bad = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
  t.is(bad?.kind, "body");
  fake.server.mode = "normal";
  const spent = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
  t.is(spent?.status, 403);
  t.true(spent?.rateLimited);
  t.is(spent?.rateLimit?.remaining, 0);
  t.true((spent?.retryAfterMs ?? 0) > 0);
});

test("a hung server times out on the request's own timeout", async (t) => {
  const fake = await GithubFake.start();
  t.teardown(() => fake.close());
  fake.server.mode = "hang";
  const { provider } = providerFor({ provider: "github", repo: "acme/api", base_url: fake.url, timeout: "300ms" });
  const err = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
  t.is(err?.kind, "timeout");
  t.regex(err?.message ?? "", /no answer within 300 ms/);
});
