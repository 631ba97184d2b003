// The poll loop on a fake clock against the GitHub fake: intervals, rate-limit exhaustion and
// recovery at the reset, backoff on 5xx that resets on success, and the timeout on a hung server.

import test from "ava";
import { CiHttp } from "../src/http/http-client";
import { Poller } from "../src/ci/poller";
import { github } from "../src/ci/providers/github";
import { SharedBudget } from "../src/http/rate-budget";
import type { PipelineSettings } from "../src/ci/providers/provider";
import type { GithubOptions } from "../src/ci/providers/github";
import { FakeClock } from "./fakes/ci-clock";
import { GithubFake } from "./fakes/ci-github-fake";

async function setup(t: import("ava").ExecutionContext, limit = 5000, timeoutMs = 2000) {
  const clock = new FakeClock();
  const fake = await GithubFake.start({ now: () => clock.now(), limit });
  t.teardown(() => fake.close());
  fake.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  const settings: PipelineSettings<GithubOptions> = {
    name: "api",
    provider: "github",
    base_url: fake.url,
    branch: "main",
    token: null,
    interval_ms: 60_000,
    timeout_ms: timeoutMs,
    options: { repo: "acme/api", workflow: null, environments: [], per_page: 20, max_pages: 1 },
  };
  const http = new CiHttp({ timeoutMs, now: () => clock.now() });
  const budget = new SharedBudget(0);
  budget.consumers = 1;
  const results: number[] = [];
  const errors: { failures: number; retryInMs: number; message: string }[] = [];
  const poller = new Poller({
    name: "api",
    provider: github.create(settings, { http, now: () => clock.now(), env: {} }),
    http,
    intervalMs: 60_000,
    firstDelayMs: 0,
    budget,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 60_000, capMs: 600_000, floorMs: 1000 },
    onResult: () => results.push(clock.now()),
    onError: (err, failures, retryInMs) => errors.push({ failures, retryInMs, message: (err as Error).message }),
  });
  t.teardown(() => poller.stop());
  const settle = () => poller.idle();
  return { clock, fake, http, poller, results, errors, settle };
}

test("polls at the interval, conditionally", async (t) => {
  const { clock, fake, poller, results, settle } = await setup(t);
  poller.start();
  await clock.advance(10 * 60_000, settle);
  t.is(results.length, 11);
  t.is(fake.server.notModified, 10);
});

test("the budget spreads a small limit over the window instead of running the token dry", async (t) => {
  const { clock, fake, poller, results, errors, settle } = await setup(t, 3);
  poller.start();
  for (let i = 0; i < 60; i++) {
    fake.addRun("acme/api", { id: 10 + i, status: "completed", conclusion: "success" });
    await clock.advance(60_000, settle);
  }
  t.deepEqual(errors, []);
  t.true(results.length >= 2 && results.length <= 3, `${results.length} polls in the hour`);
  t.true(fake.server.remaining >= 0);
});

test("a token spent elsewhere: the 403 waits for the reset, then polling recovers", async (t) => {
  const { clock, fake, poller, results, errors, settle } = await setup(t);
  poller.start();
  await clock.advance(0, settle);
  t.is(results.length, 1);
  fake.server.remaining = 0; // another tool used up the token
  await clock.advance(60_000, settle);
  t.is(errors.length, 1);
  t.regex(errors[0]?.message ?? "", /answered 403/);
  // The wait reaches the window's reset (an hour after the fake started), not the 60 s interval.
  t.true((errors[0]?.retryInMs ?? 0) > 50 * 60_000);
  await clock.advance(30 * 60_000, settle);
  t.is(errors.length, 1, "no request while waiting for the reset");
  await clock.advance(31 * 60_000, settle);
  t.true(results.length >= 2, "polls again after the reset");
  t.is(poller.failures, 0);
});

test("5xx backs off with jitter and resets on success", async (t) => {
  const { clock, fake, poller, errors, settle } = await setup(t);
  fake.server.mode = "error503";
  poller.start();
  await clock.advance(0, settle);
  await clock.advance(5 * 60_000, settle);
  t.deepEqual(errors.map((e) => e.failures).slice(0, 3), [1, 2, 3]);
  // random 0.5 of min(cap, base*2^n): 60 s, 120 s, 240 s.
  t.deepEqual(errors.map((e) => e.retryInMs).slice(0, 3), [60_000, 120_000, 240_000]);
  fake.server.mode = "normal";
  await clock.advance(10 * 60_000, settle);
  t.is(poller.failures, 0);
});

test("a hung server costs one timeout per poll, then backoff", async (t) => {
  const { clock, fake, poller, errors, settle } = await setup(t, 5000, 200);
  fake.server.mode = "hang";
  poller.start();
  await clock.advance(0, settle);
  t.is(errors.length, 1);
  t.regex(errors[0]?.message ?? "", /no answer within 200 ms/);
});
