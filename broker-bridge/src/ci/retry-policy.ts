// When a failed poll is retried, and how long to wait: policy as data plus small pure functions,
// tested with a fake clock. The backoff is the product's one policy (protocol/src/backoff.ts) with
// "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): a uniform random
// delay up to min(cap, base * 2^attempt), so pollers that failed together do not retry together;
// it resets on the first success.

import { backoffDelay as policyDelay } from "@shipgate/protocol";
import { CiHttpError } from "../http/http-client";

/** Statuses worth retrying; anything else (401, 404, 422...) is a configuration problem that
 *  retrying at full speed would not fix, so it is retried at the slow cap instead. */
export const RETRYABLE_STATUS: ReadonlyMap<number, string> = new Map([
  [403, "only when it is a rate-limit answer (GitHub: x-ratelimit-remaining 0 or retry-after); else a permission problem"],
  [408, "request timeout at a proxy"],
  [425, "too early (TLS early data replayed)"],
  [429, "too many requests: wait for retry-after or the reset"],
  [500, "server error, often transient on hosted CI"],
  [502, "bad gateway: a proxy in front of Jenkins/GitLab restarting"],
  [503, "unavailable: maintenance or overload"],
  [504, "gateway timeout"],
]);

export interface BackoffOptions {
  /** First retry waits up to base * 2 (ms). */
  baseMs: number;
  /** No wait is longer (ms). */
  capMs: number;
  /** No wait is shorter (ms): never hammer a broken server. */
  floorMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 5_000, capMs: 15 * 60_000, floorMs: 1_000 });

/**
 * attempt: 1 for the first failure in a row. random: uniform in [0, 1), the fraction of the way up
 * to the ceiling (the policy's jitter takes away the rest; kept below 1 so 0 means "the floor").
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const fraction = random >= 0 && random < 1 ? random : 0;
  const removed = Math.min(1 - fraction, 1 - Number.EPSILON);
  return policyDelay(Math.max(1, attempt), { initialMs: options.baseMs, maxMs: Math.max(options.capMs, options.baseMs), jitter: 1, floorMs: Math.min(options.floorMs, options.capMs) }, removed);
}

export function isRetryable(err: unknown): boolean {
  if (!(err instanceof CiHttpError)) return false;
  if (err.kind !== "status") return true; // timeouts, network errors, garbage bodies
  if (err.status === 403) return err.rateLimited;
  return err.status !== null && RETRYABLE_STATUS.has(err.status);
}

/**
 * The wait after a failed poll: the server's own word first (retry-after, or the rate-limit reset
 * when the budget is exhausted), else jittered backoff; non-retryable errors wait the cap.
 */
export function failureDelay(err: unknown, attempt: number, now: number, options: BackoffOptions, random: number): number {
  const jittered = backoffDelay(attempt, options, random);
  if (err instanceof CiHttpError) {
    if (err.retryAfterMs !== null) return Math.max(err.retryAfterMs, options.floorMs);
    if (err.rateLimited && err.rateLimit !== null && err.rateLimit.resetAt > now) return Math.max(err.rateLimit.resetAt - now, options.floorMs);
  }
  return isRetryable(err) ? jittered : options.capMs;
}
