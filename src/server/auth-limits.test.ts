import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFailureLimiter, addressBucketKey } from './auth-limits.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let clock = 0;
let peer = '203.0.113.7';
let server: TestServer;
let aliceKey: string;
let scrypts = 0;

beforeAll(async () => {
  server = await createTestServer({ now: () => clock, addressOf: () => peer, limits: { authFailures: { perKeyId: { burst: 5, perMinute: 6 }, perAddress: { burst: 8, perMinute: 60 } } } });
  aliceKey = await server.keyFor('alice', ['read']);
  // Count the scrypts the server really spends: the hook runs right before each one.
  const verify = server.keyStore.verify.bind(server.keyStore);
  server.keyStore.verify = (key, beforeHash) =>
    verify(key, async (id) => {
      await beforeHash?.(id);
      scrypts += 1;
    });
});

afterAll(async () => {
  await server.close();
});

function wrongSecretFor(key: string, salt: number): string {
  return `${key.slice(0, 'mmev_'.length + 17)}${String(salt).padStart(43, 'x')}`;
}

describe('failed authentications are limited before any scrypt', () => {
  it('spends at most the burst of scrypts on 200 wrong secrets for one live key id, answering the rest 429 with Retry-After', async () => {
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, index) => server.request('/v1/memories', { key: wrongSecretFor(aliceKey, index) }).then((response) => response.status)));
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(195);
    expect(scrypts, 'scrypts spent on the attack').toBe(5);
    const limited = await server.request('/v1/memories', { key: wrongSecretFor(aliceKey, 999) });
    expect(limited.headers.get('retry-after')).toBe('10');
    expect((await errorOf(limited)).message).toContain('key id');
  });

  it('limits one client address across many key ids, and lets other addresses through', async () => {
    clock += 3_600_000;
    const before = scrypts;
    const bobKey = await server.keyFor('bob', ['read']);
    const carolKey = await server.keyFor('carol', ['read']);
    peer = '2001:db8:1:2:aaaa::1';
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      // Different hosts of one /64 count as one address.
      peer = `2001:db8:1:2::${index + 1}`;
      statuses.push((await server.request('/v1/memories', { key: wrongSecretFor(index % 2 === 0 ? bobKey : carolKey, index) })).status);
    }
    expect(statuses.filter((status) => status === 429).length, 'the /64 ran out after 8 failures').toBe(4);
    expect(scrypts - before).toBe(8);
    peer = '198.51.100.20';
    expect((await server.request('/v1/memories', { key: bobKey })).status, 'bob from elsewhere still gets in').toBe(200);
  });

  it('gives a verified key its tokens back and never limits a key verified before', async () => {
    clock += 3_600_000;
    peer = '192.0.2.55';
    for (let index = 0; index < 20; index += 1) expect((await server.request('/v1/memories', { key: aliceKey })).status).toBe(200);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped ones by their IPv4 address', async () => {
    expect(addressBucketKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucketKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    const limiter = new AuthFailureLimiter({ perKeyId: { burst: 1, perMinute: 1 }, perAddress: { burst: 5, perMinute: 1 } }, () => 0);
    await limiter.reserve('k', '198.51.100.1');
    await expect(limiter.reserve('k', '198.51.100.2')).rejects.toThrow('key id');
    await limiter.refund('k', '198.51.100.1');
    await expect(limiter.reserve('k', '198.51.100.2')).resolves.toBeUndefined();
  });
});
