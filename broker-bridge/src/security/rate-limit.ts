// Token buckets per key (client id): `burst` messages at once, refilled at `perMinute`. Time is
// injected. Full, idle buckets are forgotten so a stream of new client ids cannot grow the map
// without bound.

export interface BucketRule {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_KEYS = 10_000;

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rule: BucketRule,
    private readonly now: () => number,
  ) {}

  /** Takes one token for key; false when the bucket is empty (the message is refused). */
  take(key: string): boolean {
    const now = this.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_KEYS) this.#prune(now);
      bucket = { tokens: this.rule.burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      this.#refill(bucket, now);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.rule.burst, bucket.tokens + (elapsed * this.rule.perMinute) / 60_000);
    bucket.at = now;
  }

  #prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      this.#refill(bucket, now);
      if (bucket.tokens >= this.rule.burst) this.#buckets.delete(key);
    }
    // Still full of busy clients: drop the oldest entries rather than grow.
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < MAX_KEYS) break;
      this.#buckets.delete(key);
    }
  }
}
