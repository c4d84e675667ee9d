import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TENANT } from './auth.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let server: TestServer;
let aliceKey: string;
let bobKey: string;
let readerKey: string;
let aliceLessonId: string;

beforeAll(async () => {
  server = await createTestServer();
  aliceKey = await server.keyFor('alice');
  bobKey = await server.keyFor('bob');
  readerKey = await server.keyFor('alice', ['read']);
  const created = await server.request('/v1/memories', { method: 'POST', key: aliceKey, json: { stream: 'logic', text: 'Check the units before comparing lengths.' } });
  expect(created.status, 'alice can create a lesson').toBe(201);
  aliceLessonId = ((await created.json()) as { lesson: { id: string } }).lesson.id;
});

afterAll(async () => {
  await server.close();
});

describe('authentication and scopes', () => {
  it('answers 401 with a JSON error when no key is sent', async () => {
    const response = await server.request('/v1/memories');
    expect(response.status).toBe(401);
    const error = await errorOf(response);
    expect(error.code).toBe('unauthorized');
    expect(error.hint, 'the hint says how to get a key').toContain('mmevolve keys create');
  });

  it('answers 401 for a mistyped, unknown or garbage key', async () => {
    const mistyped = `${aliceKey.slice(0, -1)}${aliceKey.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [mistyped, 'mmev_0000000000000000_' + 'x'.repeat(43), 'not-a-key', "' or 1=1 --"]) {
      const response = await server.request('/v1/memories', { key });
      expect(response.status, `key ${key.slice(0, 30)} must be refused`).toBe(401);
    }
  });

  it('accepts the key in X-Api-Key as well as Authorization: Bearer', async () => {
    const response = await server.request('/v1/memories', { headers: { 'X-Api-Key': aliceKey } });
    expect(response.status).toBe(200);
  });

  it('refuses a revoked key at once', async () => {
    const created = await server.keyStore.create('alice', ['read']);
    expect((await server.request('/v1/memories', { key: created.key })).status).toBe(200);
    expect(await server.keyStore.revoke(created.record.id)).toBe(true);
    expect((await server.request('/v1/memories', { key: created.key })).status).toBe(401);
  });

  it('gives a read-only key 403 on writes but lets it read', async () => {
    expect((await server.request(`/v1/memories/${aliceLessonId}`, { key: readerKey })).status).toBe(200);
    const post = await server.request('/v1/memories', { method: 'POST', key: readerKey, json: { stream: 'logic', text: 'x' } });
    expect(post.status).toBe(403);
    expect((await errorOf(post)).code).toBe('forbidden');
    const patch = await server.request(`/v1/memories/${aliceLessonId}`, { method: 'PATCH', key: readerKey, json: { subject: 'geometry' } });
    expect(patch.status).toBe(403);
    const remove = await server.request(`/v1/memories/${aliceLessonId}`, { method: 'DELETE', key: readerKey });
    expect(remove.status).toBe(403);
    expect((await server.request(`/v1/memories/${aliceLessonId}`, { key: aliceKey })).status, 'the lesson survived').toBe(200);
  });

  it("answers 404 when tenant B asks for tenant A's lesson, by any route and any spelling of the id", async () => {
    const adversarial = [aliceLessonId, `${aliceLessonId} `, `${aliceLessonId}%00`, encodeURIComponent(`${aliceLessonId}' OR '1'='1`), `..%2F${aliceLessonId}`, aliceLessonId.toUpperCase()];
    for (const id of adversarial) {
      const get = await server.request(`/v1/memories/${id}`, { key: bobKey });
      expect(get.status, `GET ${id} as bob`).toBe(404);
      expect((await errorOf(get)).code).toBe('not-found');
      expect((await server.request(`/v1/memories/${id}/versions`, { key: bobKey })).status, `versions of ${id} as bob`).toBe(404);
      expect((await server.request(`/v1/memories/${id}`, { method: 'PATCH', key: bobKey, json: { subject: 'stolen' } })).status).toBe(404);
      expect((await server.request(`/v1/memories/${id}`, { method: 'DELETE', key: bobKey })).status).toBe(404);
      expect((await server.request(`/v1/memories/${id}/restore`, { method: 'POST', key: bobKey, json: { version: 1 } })).status).toBe(404);
    }
    const lesson = (await (await server.request(`/v1/memories/${aliceLessonId}`, { key: aliceKey })).json()) as { subject: string; version: number };
    expect(lesson.subject, 'bob changed nothing').toBe('');
    expect(lesson.version).toBe(1);
    const bobList = (await (await server.request('/v1/memories', { key: bobKey })).json()) as { total: number };
    expect(bobList.total, "bob's list does not show alice's lesson").toBe(0);
  });

  it('lets keyless loopback callers in as tenant "dev" only in dev mode', async () => {
    const dev = await createTestServer({ dev: true, addressOf: () => '127.0.0.1' });
    const remote = await createTestServer({ dev: true, addressOf: () => '203.0.113.9' });
    const strict = await createTestServer({ addressOf: () => '127.0.0.1' });
    try {
      const devList = await dev.request('/v1/memories', { method: 'POST', json: { stream: 'logic', text: 'dev lesson' } });
      expect(devList.status).toBe(201);
      expect(((await devList.json()) as { lesson: { tenant: string } }).lesson.tenant).toBe(DEV_TENANT);
      expect((await remote.request('/v1/memories')).status, 'dev mode never serves a non-loopback peer without a key').toBe(401);
      expect((await strict.request('/v1/memories')).status).toBe(401);
    } finally {
      await Promise.all([dev.close(), remote.close(), strict.close()]);
    }
  });

  it('keeps /metrics behind the admin scope and /healthz and /openapi.json public', async () => {
    expect((await server.request('/metrics', { key: aliceKey })).status).toBe(403);
    const admin = await server.keyFor('ops', ['admin']);
    const metrics = await server.request('/metrics', { key: admin });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('mmevolve_http_requests_total{route="/v1/memories",method="GET",status="401"}');
    expect((await server.request('/healthz')).status).toBe(200);
    expect((await server.request('/openapi.json')).status).toBe(200);
  });
});
