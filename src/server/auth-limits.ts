/**
 * Failed authentications cost the attacker nothing and the server one scrypt each (~50 ms of a core):
 * 200 wrong secrets for a live key id slowed another tenant's solve from 142 ms to 44.8 s. So every
 * scrypt is paid for in advance from two token buckets, one per key id and one per client address (an
 * IPv6 client by its /64, which one host usually owns whole); a success gives its tokens back, a failure
 * keeps them spent. An empty bucket answers 429 before any scrypt. Keys already verified skip scrypt
 * (key-store.ts) and never touch the buckets.
 */
import { isIP } from 'node:net';
import { MmevolveError } from '../core/index.js';

export interface AuthFailureLimits {
  /** Failed verifications a key id may absorb at once, and refilled per minute. */
  perKeyId: { burst: number; perMinute: number };
  /** Failed verifications one client address (IPv6: its /64) may cause at once, and refilled per minute. */
  perAddress: { burst: number; perMinute: number };
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = {
  perKeyId: { burst: 10, perMinute: 10 },
  perAddress: { burst: 20, perMinute: 20 },
};

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** The address as the limiter counts it: IPv4 whole, IPv6 by its first 64 bits. */
export function addressBucketKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(bare) !== 6) return bare;
  const hostname = new URL(`http://[${bare.split('%')[0] ?? ''}]/`).hostname.slice(1, -1);
  const [head = '', tail] = hostname.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

export class AuthFailureLimiter {
  readonly #limits: AuthFailureLimits;
  readonly #now: () => number;
  readonly #keyIds = new Map<string, Bucket>();
  readonly #addresses = new Map<string, Bucket>();

  constructor(limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Take one token from both buckets before a scrypt; throws 429 (no token taken) when either is empty. */
  reserve(keyId: string, address: string | undefined): void {
    const time = this.#now();
    const byKey = this.#refill(this.#keyIds, keyId, this.#limits.perKeyId, time);
    const byAddress = this.#refill(this.#addresses, addressBucketKey(address), this.#limits.perAddress, time);
    const empty = byKey.tokens < 1 ? { bucket: byKey, rate: this.#limits.perKeyId, what: 'this key id' } : byAddress.tokens < 1 ? { bucket: byAddress, rate: this.#limits.perAddress, what: 'this client address' } : undefined;
    if (empty !== undefined) {
      const waitSeconds = Math.max(1, Math.ceil(((1 - empty.bucket.tokens) * 60) / empty.rate.perMinute));
      throw new MmevolveError({
        code: 'rate-limited',
        message: `too many failed authentications for ${empty.what} (at most ${empty.rate.burst} at once, ${empty.rate.perMinute} per minute)`,
        hint: `Check the API key; retry after ${waitSeconds} s.`,
        retryAfterMs: waitSeconds * 1000,
      });
    }
    byKey.tokens -= 1;
    byAddress.tokens -= 1;
  }

  /** The verification succeeded: its tokens come back. */
  refund(keyId: string, address: string | undefined): void {
    const byKey = this.#keyIds.get(keyId);
    const byAddress = this.#addresses.get(addressBucketKey(address));
    if (byKey !== undefined) byKey.tokens = Math.min(this.#limits.perKeyId.burst, byKey.tokens + 1);
    if (byAddress !== undefined) byAddress.tokens = Math.min(this.#limits.perAddress.burst, byAddress.tokens + 1);
  }

  #refill(buckets: Map<string, Bucket>, name: string, rate: { burst: number; perMinute: number }, time: number): Bucket {
    const bucket = buckets.get(name) ?? { tokens: rate.burst, updatedMs: time };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((time - bucket.updatedMs) / 60_000) * rate.perMinute);
    bucket.updatedMs = time;
    buckets.delete(name);
    buckets.set(name, bucket);
    // Least recently used first in Map order: past the bound the stalest bucket goes (it has refilled most).
    if (buckets.size > 100_000) buckets.delete(buckets.keys().next().value ?? name);
    return bucket;
  }
}
