// Rate-limit budgets, as pure functions of the headers an API sent and the time. A token's
// remaining requests are spread over the time left until its reset, keeping a reserve, so pollers
// sharing a token never run it dry (GitHub: 5,000 an hour; Buildkite: 200 a minute per
// organisation; GitLab.com: per user).

export interface RateLimit {
  /** Requests left in this window. */
  remaining: number;
  /** The window's size, when the API says it. */
  limit: number | null;
  /** When the window resets (ms since the epoch). */
  resetAt: number;
}

/** Epoch seconds and delta seconds share the reset header across APIs: GitHub and GitLab send
 *  epoch seconds (x-ratelimit-reset, RateLimit-Reset), Buildkite and the IETF RateLimit draft
 *  send seconds until the reset. Values above this are taken as epoch seconds. */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

export function readRateLimit(headers: Headers, now: number): RateLimit | null {
  const remaining = headers.get("x-ratelimit-remaining") ?? headers.get("ratelimit-remaining");
  const reset = headers.get("x-ratelimit-reset") ?? headers.get("ratelimit-reset");
  if (remaining === null || reset === null) return null;
  const left = Number(remaining);
  const at = Number(reset);
  if (!Number.isFinite(left) || !Number.isFinite(at)) return null;
  const limitText = headers.get("x-ratelimit-limit") ?? headers.get("ratelimit-limit");
  const limit = limitText === null ? null : Number(limitText);
  return {
    remaining: Math.max(0, Math.floor(left)),
    limit: limit !== null && Number.isFinite(limit) ? limit : null,
    resetAt: at > EPOCH_SECONDS_FLOOR ? at * 1000 : now + at * 1000,
  };
}

/** retry-after is delta seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function readRetryAfter(headers: Headers, now: number): number | null {
  const value = headers.get("retry-after");
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface BudgetOptions {
  /** Requests kept back for people and other tools using the same token. */
  reserve: number;
  /** How many pollers share this budget; each gets its share of the spacing. */
  consumers: number;
}

/**
 * The least delay before the next request of one consumer, so that the consumers together spend
 * at most (remaining - reserve) requests before the reset. At or under the reserve: wait for the
 * reset. Without rate-limit information: no constraint (0).
 */
export function budgetDelay(limit: RateLimit | null, now: number, options: BudgetOptions): number {
  if (limit === null) return 0;
  const untilReset = Math.max(0, limit.resetAt - now);
  if (untilReset === 0) return 0;
  const spendable = limit.remaining - options.reserve;
  if (spendable <= 0) return untilReset;
  return Math.ceil((untilReset * Math.max(1, options.consumers)) / spendable);
}

/**
 * A budget shared by the pollers of one token (one provider, base URL and credential). It keeps
 * the newest rate-limit state any of them saw.
 */
export class SharedBudget {
  #limit: RateLimit | null = null;
  consumers = 0;

  constructor(readonly reserve: number) {}

  observe(limit: RateLimit | null): void {
    if (limit !== null) this.#limit = limit;
  }

  get limit(): RateLimit | null {
    return this.#limit;
  }

  delay(now: number): number {
    return budgetDelay(this.#limit, now, { reserve: this.reserve, consumers: this.consumers });
  }
}
