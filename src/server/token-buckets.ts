/**
 * Token buckets behind the request rate limit (limits.ts) and the failed-authentication limits
 * (auth-limits.ts). In memory for one process; on Postgres (token-buckets-postgres.ts) when several
 * `serve` replicas must share them, so a key gets one budget whichever replica it reaches.
 */

export interface BucketRequest {
  /** e.g. `rate:<key id>`, `auth-key:<key id>`, `auth-address:<address>` */
  name: string;
  burst: number;
  perSecond: number;
}

export interface TokenBuckets {
  /**
   * Takes one token from each bucket, all or none: undefined when taken, else the first bucket found
   * empty (its index in `requests`) and the tokens it holds.
   */
  take(requests: readonly BucketRequest[]): Promise<{ index: number; tokens: number } | undefined>;
  /** Gives one token back to each bucket (capped at its burst). */
  refund(requests: readonly BucketRequest[]): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets kept past this many, least recently used first, are forgotten (a forgotten bucket has refilled most). */
const MAX_BUCKETS = 100_000;

export class MemoryTokenBuckets implements TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  /** `now` in milliseconds; injectable for tests. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  async take(requests: readonly BucketRequest[]): Promise<{ index: number; tokens: number } | undefined> {
    const time = this.#now();
    const buckets = requests.map((request) => this.#refill(request, time));
    const empty = buckets.findIndex((bucket) => bucket.tokens < 1);
    if (empty >= 0) return { index: empty, tokens: buckets[empty]?.tokens ?? 0 };
    for (const bucket of buckets) bucket.tokens -= 1;
    return undefined;
  }

  async refund(requests: readonly BucketRequest[]): Promise<void> {
    for (const request of requests) {
      const bucket = this.#buckets.get(request.name);
      if (bucket !== undefined) bucket.tokens = Math.min(request.burst, bucket.tokens + 1);
    }
  }

  #refill(request: BucketRequest, time: number): Bucket {
    const bucket = this.#buckets.get(request.name) ?? { tokens: request.burst, updatedMs: time };
    bucket.tokens = Math.min(request.burst, bucket.tokens + ((time - bucket.updatedMs) / 1000) * request.perSecond);
    bucket.updatedMs = time;
    this.#buckets.delete(request.name);
    this.#buckets.set(request.name, bucket);
    if (this.#buckets.size > MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value ?? request.name);
    return bucket;
  }
}
