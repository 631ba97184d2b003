// The GitLab provider against a loopback fake: pipelines by ref, x-next-page pages, deployments
// (ascending by default, so the provider must ask for desc), PRIVATE-TOKEN, 429 with RateLimit-*.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import { gitlabPipelineState } from "../src/ci/providers/gitlab";
import { GitlabFake } from "./fakes/ci-gitlab-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps every pipeline status GitLab documents", (t) => {
  for (const s of ["created", "waiting_for_resource", "preparing", "pending", "running", "scheduled"]) t.is(gitlabPipelineState(s), "building", s);
  t.is(gitlabPipelineState("manual"), "awaiting");
  t.is(gitlabPipelineState("success"), "passing");
  t.is(gitlabPipelineState("failed"), "failing");
  t.is(gitlabPipelineState("canceled"), "cancelled");
  t.is(gitlabPipelineState("skipped"), "cancelled");
  t.is(gitlabPipelineState("new-thing"), "unknown");
});

test("first poll, pages by x-next-page, a status change, 304 reuse", async (t) => {
  const fake = await GitlabFake.start();
  t.teardown(() => fake.close());
  for (let i = 0; i < 5; i++) fake.addPipeline("acme/web", { id: 100 + i, status: "success" });
  fake.addPipeline("acme/web", { id: 200, status: "running", ref: "feature" });
  const { provider, http } = providerFor({ provider: "gitlab", project: "acme/web", base_url: fake.url, token_env: "GL", per_page: 2, max_pages: 2 }, { env: { GL: "glpat-x" } });
  const first = await provider.poll();
  t.deepEqual(
    first.builds.map((b) => b.id),
    ["104", "103", "102", "101"],
  );
  t.is(fake.server.requests[0]?.headers["private-token"], "glpat-x");
  t.is(fake.server.requests[0]?.path, "/api/v4/projects/acme%2Fweb/pipelines");
  t.is(fake.server.requests[0]?.url.searchParams.get("ref"), "main");
  await provider.poll();
  t.is(http.stats.notModified, 2);
  for (const p of fake.pipelines.get("acme/web") ?? []) if (p.id === 104) p.status = "failed";
  const third = await provider.poll();
  t.is(third.builds[0]?.state, "failing");
});

test("deployments: newest first, finished ones only, finish time from the deploy job", async (t) => {
  const fake = await GitlabFake.start();
  t.teardown(() => fake.close());
  fake.addDeployment("42", { id: 1, status: "success", environment: "production", created_at: "2026-02-20T09:00:00Z", finished_at: "2026-02-20T09:10:00Z" });
  fake.addDeployment("42", { id: 2, status: "failed", environment: "production", created_at: "2026-02-27T16:00:00Z", finished_at: "2026-02-27T16:03:00Z" });
  fake.addDeployment("42", { id: 3, status: "running", environment: "production", created_at: "2026-03-02T08:00:00Z", finished_at: null });
  const { provider } = providerFor({ provider: "gitlab", project: 42, base_url: fake.url, environments: ["production"] });
  const { deployments } = await provider.poll();
  t.deepEqual(
    deployments.map((d) => [d.id, d.ok, d.at]),
    [
      ["2", false, "2026-02-27T16:03:00.000Z"],
      ["1", true, "2026-02-20T09:10:00.000Z"],
    ],
  );
  t.is(fake.server.requests.find((r) => r.path.endsWith("/deployments"))?.url.searchParams.get("sort"), "desc");
});

test("a spent limit answers 429 with RateLimit-* and retry-after; 503 and garbage are errors", async (t) => {
  const fake = await GitlabFake.start({ limit: 1 });
  t.teardown(() => fake.close());
  fake.addPipeline("acme/web", { status: "success" });
  const { provider } = providerFor({ provider: "gitlab", project: "acme/web", base_url: fake.url });
  await provider.poll();
  const err = await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError });
  t.is(err?.status, 429);
  t.true(err?.rateLimited);
  t.true((err?.retryAfterMs ?? 0) > 0);
  const other = await GitlabFake.start({ rateLimit: null });
  t.teardown(() => other.close());
  const p2 = providerFor({ provider: "gitlab", project: "acme/web", base_url: other.url }).provider;
  other.server.mode = "error503";
  t.is((await t.throwsAsync(p2.poll(), { instanceOf: CiHttpError }))?.status, 503);
  other.server.mode = "garbage";
  t.is((await t.throwsAsync(p2.poll(), { instanceOf: CiHttpError }))?.kind, "body");
});
