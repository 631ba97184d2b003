// Retry and rate-limit policies as pure functions: full-jitter backoff with a cap and a floor,
// the server's retry-after and reset first, and a shared budget that spreads what is left.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import { SharedBudget, budgetDelay, readRateLimit, readRetryAfter } from "../src/http/rate-budget";
import { backoffDelay, failureDelay, isRetryable } from "../src/ci/retry-policy";

const opts = { baseMs: 1000, capMs: 60_000, floorMs: 100 };

test("full jitter: uniform up to base*2^attempt, capped, never under the floor", (t) => {
  t.is(backoffDelay(1, opts, 0.5), 1000);
  t.is(backoffDelay(3, opts, 0.999), 7992);
  t.is(backoffDelay(30, opts, 0.5), 30_000);
  t.is(backoffDelay(30, opts, 0.9999), 59_994);
  t.is(backoffDelay(2, opts, 0), 100);
});

test("retryable: 429, 5xx, timeouts, garbage; 403 only when rate limited; 404 is not", (t) => {
  const err = (status: number | null, kind: "status" | "timeout" | "body" = "status", remaining?: number) =>
    new CiHttpError(kind, "GET", "http://x/", status, "d", remaining === undefined ? null : { remaining, limit: 60, resetAt: 0 });
  t.true(isRetryable(err(429)));
  t.true(isRetryable(err(503)));
  t.true(isRetryable(err(null, "timeout")));
  t.true(isRetryable(err(200, "body")));
  t.false(isRetryable(err(403, "status", 12)));
  t.true(isRetryable(err(403, "status", 0)));
  t.false(isRetryable(err(404)));
  t.false(isRetryable(new Error("bug")));
});

test("failure delay: retry-after first, then the reset of a spent budget, then backoff; non-retryable waits the cap", (t) => {
  const now = 1_000_000;
  const retryAfter = new CiHttpError("status", "GET", "u", 429, "d", null, 30_000);
  t.is(failureDelay(retryAfter, 1, now, opts, 0.5), 30_000);
  const spent = new CiHttpError("status", "GET", "u", 403, "d", { remaining: 0, limit: 5000, resetAt: now + 42_000 });
  t.is(failureDelay(spent, 1, now, opts, 0.5), 42_000);
  t.is(failureDelay(new CiHttpError("status", "GET", "u", 502, "d"), 2, now, opts, 0.5), 2000);
  t.is(failureDelay(new CiHttpError("status", "GET", "u", 404, "d"), 1, now, opts, 0.5), 60_000);
});

test("rate-limit headers: epoch seconds (GitHub, GitLab) and delta seconds (Buildkite)", (t) => {
  const now = 1_770_000_000_000;
  const gh = readRateLimit(new Headers({ "x-ratelimit-remaining": "12", "x-ratelimit-reset": "1770000600", "x-ratelimit-limit": "5000" }), now);
  t.deepEqual(gh, { remaining: 12, limit: 5000, resetAt: 1_770_000_600_000 });
  const bk = readRateLimit(new Headers({ "ratelimit-remaining": "3", "ratelimit-reset": "20" }), now);
  t.is(bk?.resetAt, now + 20_000);
  t.is(readRateLimit(new Headers({}), now), null);
  t.is(readRetryAfter(new Headers({ "retry-after": "7" }), now), 7000);
  t.is(readRetryAfter(new Headers({ "retry-after": new Date(now + 9000).toUTCString() }), now), 9000);
});

test("budget: spreads what is left over the time to reset, keeps the reserve, shares between consumers", (t) => {
  const now = 0;
  t.is(budgetDelay(null, now, { reserve: 10, consumers: 1 }), 0);
  // 110 left, 10 kept: 100 requests over 100 s -> one a second; two consumers -> each every 2 s.
  const limit = { remaining: 110, limit: 5000, resetAt: 100_000 };
  t.is(budgetDelay(limit, now, { reserve: 10, consumers: 1 }), 1000);
  t.is(budgetDelay(limit, now, { reserve: 10, consumers: 2 }), 2000);
  // At the reserve: wait for the reset.
  t.is(budgetDelay({ ...limit, remaining: 10 }, now, { reserve: 10, consumers: 1 }), 100_000);
  const shared = new SharedBudget(5);
  shared.consumers = 4;
  shared.observe({ remaining: 45, limit: 60, resetAt: 60_000 });
  shared.observe(null);
  t.is(shared.delay(0), 6000);
});
