import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngClaiming } from './hostile-inputs.js';
import { admitImage } from './image-gate.js';
import { resolveLimits } from './limits.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let clock = 0;
let server: TestServer;
let key: string;

beforeAll(async () => {
  server = await createTestServer({
    limits: { maxBodyBytes: 4096, maxQueryLength: 50, maxImagePixels: 1_000_000, rateLimit: { burst: 1000, perSecond: 1000 } },
    upstream: { baseURL: 'http://127.0.0.1:9/v1', fetch: () => Promise.reject(new Error('upstream must not be called')) },
    now: () => clock,
  });
  key = await server.keyFor('alice');
});

afterAll(async () => {
  await server.close();
});

describe('request limits', () => {
  it('answers 413 payload-too-large for a body above the limit, with or without Content-Length', async () => {
    const text = 'x'.repeat(5000);
    const streamed = await server.request('/v1/memories', { method: 'POST', key, json: { stream: 'logic', text } });
    expect(streamed.status).toBe(413);
    expect((await errorOf(streamed)).code).toBe('payload-too-large');
    const declared = await server.request('/v1/memories', { method: 'POST', key, json: { stream: 'logic', text }, headers: { 'Content-Length': '5030' } });
    expect(declared.status).toBe(413);
    const listed = (await (await server.request('/v1/memories', { key })).json()) as { total: number };
    expect(listed.total, 'nothing was written').toBe(0);
  });

  it('refuses a PNG whose header claims 10 gigapixels before decoding it', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length, 'the bomb is tiny on the wire').toBeLessThan(200);
    await expect(admitImage(bomb, resolveLimits({ maxImagePixels: 1_000_000 }), 'upload')).rejects.toMatchObject({ code: 'image-too-large' });
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      key,
      json: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${bomb.toString('base64')}` } }] }] },
    });
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('image-too-large');
    expect(error.message).toContain('100000×100000');
  });

  it('answers 415 for bytes that are no JPEG, PNG or WebP, and 422 for a truncated PNG', async () => {
    await expect(admitImage(Buffer.from('GIF89a but not really'), resolveLimits(), 'upload')).rejects.toMatchObject({ code: 'unsupported-media-type' });
    await expect(admitImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), resolveLimits(), 'upload')).rejects.toMatchObject({ code: 'unreadable-image' });
  });

  it('answers 400 query-too-long for a search query above the limit', async () => {
    const response = await server.request(`/v1/memories?q=${'a'.repeat(51)}`, { key });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('query-too-long');
  });

  it('answers 429 with Retry-After once a key has spent its burst, and recovers as tokens refill', async () => {
    const limited = await createTestServer({ limits: { rateLimit: { burst: 3, perSecond: 0.5 } }, now: () => clock });
    try {
      const limitedKey = await limited.keyFor('alice', ['read']);
      const otherKey = await limited.keyFor('bob', ['read']);
      const statuses = [];
      for (let index = 0; index < 4; index += 1) statuses.push((await limited.request('/v1/memories', { key: limitedKey })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const rejected = await limited.request('/v1/memories', { key: limitedKey });
      expect(rejected.headers.get('retry-after')).toBe('2');
      expect((await errorOf(rejected)).code).toBe('rate-limited');
      expect((await limited.request('/v1/memories', { key: otherKey })).status, 'buckets are per key').toBe(200);
      clock += 2000;
      expect((await limited.request('/v1/memories', { key: limitedKey })).status, 'one token refilled after 2 s at 0.5/s').toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('error responses', () => {
  it('turns an unexpected exception into a generic 500 without its message or stack', async () => {
    const logged: unknown[] = [];
    const broken = await createTestServer({ log: (_message, error) => logged.push(error) });
    broken.app.get('/v1/explode', () => {
      throw new Error('secret database password in /srv/app.ts:12');
    });
    try {
      const response = await broken.request('/v1/explode', { key: await broken.keyFor('alice') });
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain('secret');
      expect(text).not.toContain('.ts:');
      expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('internal');
      expect(logged, 'the original error is logged server-side').toHaveLength(1);
    } finally {
      await broken.close();
    }
  });

  it('answers 404 with a JSON error for an unknown route', async () => {
    const response = await server.request('/v1/nothing-here', { key });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).hint).toContain('/openapi.json');
  });

  it('answers 503 with Retry-After and a retry hint when the MLLM server is down', async () => {
    const outage = await createTestServer({ upstream: { baseURL: 'http://127.0.0.1:1/v1' } });
    try {
      const response = await outage.request('/v1/chat/completions', { method: 'POST', key: await outage.keyFor('alice'), json: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const error = await errorOf(response);
      expect(error.code).toBe('backend-unavailable');
      expect(error.hint).toContain('Nothing was written');
    } finally {
      await outage.close();
    }
  });

  it('answers 400 naming the field for an invalid body', async () => {
    const response = await server.request('/v1/memories', { method: 'POST', key, json: { stream: 'emotional', text: 'x' } });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain('stream');
  });
});
