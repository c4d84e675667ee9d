import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { createTestServer } from './server-test-support.js';
import { TenantIntake } from './tenant-intake.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isMmevolveError(error)) throw new Error(`expected a typed refusal, got ${String(error)}`);
  return error.code;
}

describe('fair intake per tenant', () => {
  it("queues a tenant's requests past its places while another tenant's enter at once, and lets the waiters in one by one", async () => {
    const intake = new TenantIntake({ intakePerTenant: 2, intakeQueue: 2, intakePenaltyMs: 0 });
    const entered: string[] = [];
    const enter = (tenant: string, name: string) => intake.enter(tenant).then((release) => (entered.push(name), release));
    const [first, second] = await Promise.all([enter('mallory', 'm1'), enter('mallory', 'm2')]);
    const third = enter('mallory', 'm3');
    const fourth = enter('mallory', 'm4');
    expect(await refusal(intake.enter('mallory')), 'past the queue: 429 at once').toBe('rate-limited');
    const alice = await enter('alice', 'a1');
    expect(entered, "alice did not wait for mallory's queue").toEqual(['m1', 'm2', 'a1']);
    first();
    first();
    const thirdRelease = await third;
    expect(entered, 'one release lets exactly one waiter in, however often it is called').toEqual(['m1', 'm2', 'a1', 'm3']);
    second();
    (await fourth)();
    thirdRelease();
    alice();
  });

  it('drops a waiter whose request was aborted', async () => {
    const intake = new TenantIntake({ intakePerTenant: 1, intakeQueue: 4, intakePenaltyMs: 0 });
    const held = await intake.enter('mallory');
    const controller = new AbortController();
    const waiting = intake.enter('mallory', controller.signal);
    controller.abort();
    expect(await refusal(waiting)).toBe('cancelled');
    const next = intake.enter('mallory');
    held();
    (await next)();
  });

  it('reads at most two slow-drip requests of one tenant at once, and answers another tenant meanwhile', async () => {
    let open = 0;
    let mostOpen = 0;
    const drip = createServer((_request, response) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      response.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => response.write(Buffer.from([0x89])), 100);
      response.on('close', () => {
        open -= 1;
        clearInterval(timer);
      });
    });
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
    const server = await createTestServer({ limits: { imageUrls: 'any', imageUrlTimeoutMs: 1000, rateLimit: { burst: 1000, perSecond: 1000 } } });
    try {
      const [mallory, alice] = [await server.keyFor('mallory'), await server.keyFor('alice')];
      // Both keys verified first (one scrypt each), so nothing but the intake queue orders what follows.
      for (const key of [mallory, alice]) expect((await server.request('/v1/memories', { key })).status).toBe(200);
      const url = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/image.png`;
      const finished: string[] = [];
      const drips = Array.from({ length: 4 }, (_, index) =>
        server.request('/v1/solve', { method: 'POST', key: mallory, json: { question: 'q', image: url } }).then((response) => {
          finished.push(`drip ${index}`);
          return response.status;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const listed = await server.request('/v1/memories', { key: alice });
      finished.push('alice');
      expect(listed.status).toBe(200);
      expect(await Promise.all(drips)).toEqual([400, 400, 400, 400]);
      expect(finished[0], "alice's request was answered before any of mallory's drips").toBe('alice');
      expect(mostOpen, "connections mallory's requests held open at once").toBe(2);
    } finally {
      await server.close();
      await new Promise((resolve) => drip.close(resolve));
    }
  });

  it('keeps the place of a request refused during its intake for the penalty, without delaying the answer', async () => {
    const server = await createTestServer({ limits: { intakePerTenant: 1, intakeQueue: 0, intakePenaltyMs: 60_000 } });
    try {
      const [mallory, alice] = [await server.keyFor('mallory'), await server.keyFor('alice')];
      const refused = await server.request('/v1/memories', { method: 'POST', key: mallory, body: `{"stream":"logic","text":"t","extra":${'['.repeat(100)}${']'.repeat(100)}}`, headers: { 'Content-Type': 'application/json' } });
      expect(refused.status, 'the refusal itself is answered at once').toBe(400);
      const next = await server.request('/v1/memories', { key: mallory });
      expect(next.status, "mallory's only place is held by the penalty: her next request is turned away").toBe(429);
      expect((await server.request('/v1/memories', { key: alice })).status, 'another tenant is not affected').toBe(200);
    } finally {
      await server.close();
    }
  });
});
