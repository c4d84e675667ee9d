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
import { MemoryTokenBuckets } from './token-buckets.js';
import type { BucketRequest, TokenBuckets } from './token-buckets.js';

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
  readonly #buckets: TokenBuckets;

  /** `clock`: a millisecond clock for in-memory buckets (injectable for tests), or shared buckets (Postgres). */
  constructor(limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS, clock: (() => number) | TokenBuckets = () => performance.now()) {
    this.#limits = limits;
    this.#buckets = typeof clock === 'function' ? new MemoryTokenBuckets(clock) : clock;
  }

  /** Take one token from both buckets before a scrypt; throws 429 (no token taken) when either is empty. */
  async reserve(keyId: string, address: string | undefined): Promise<void> {
    const requests = this.#requests(keyId, address);
    const empty = await this.#buckets.take(requests);
    if (empty === undefined) return;
    const rate = empty.index === 0 ? this.#limits.perKeyId : this.#limits.perAddress;
    const waitSeconds = Math.max(1, Math.ceil(((1 - empty.tokens) * 60) / rate.perMinute));
    throw new MmevolveError({
      code: 'rate-limited',
      message: `too many failed authentications for ${empty.index === 0 ? 'this key id' : 'this client address'} (at most ${rate.burst} at once, ${rate.perMinute} per minute)`,
      hint: `Check the API key; retry after ${waitSeconds} s.`,
      retryAfterMs: waitSeconds * 1000,
    });
  }

  /** The verification succeeded: its tokens come back. */
  async refund(keyId: string, address: string | undefined): Promise<void> {
    await this.#buckets.refund(this.#requests(keyId, address));
  }

  #requests(keyId: string, address: string | undefined): BucketRequest[] {
    const { perKeyId, perAddress } = this.#limits;
    return [
      { name: `auth-key:${keyId}`, burst: perKeyId.burst, perSecond: perKeyId.perMinute / 60 },
      { name: `auth-address:${addressBucketKey(address)}`, burst: perAddress.burst, perSecond: perAddress.perMinute / 60 },
    ];
  }
}
