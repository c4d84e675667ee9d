import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMaskPng, decodeRle } from '../vision/index.js';
import type { CocoRle } from '../vision/index.js';
import { startOracleSegmentStack } from './oracle-segment-test-support.js';
import type { OracleSegmentStack } from './oracle-segment-test-support.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';
import { startServer } from './start-server.js';

let stack: OracleSegmentStack;
let server: TestServer;
let key: string;
let imageUrl: string;
let query: string;

beforeAll(async () => {
  stack = await startOracleSegmentStack(5);
  ({ server, key, imageUrl, query } = stack);
});

afterAll(async () => {
  await stack.close();
});

interface SegmentJson {
  method: string;
  width: number;
  height: number;
  mask: { rle: CocoRle; png: string; area: number };
  overlay: { png: string };
  trace: { phrases: unknown[] };
  calls: number;
}

describe('POST /v1/segment (SIMULATED MLLM and SAM 3)', () => {
  it('returns the mask as COCO RLE and PNG that agree, an overlay and the trace', async () => {
    const response = await server.request('/v1/segment', { method: 'POST', key, json: { image: imageUrl, query, method: 'evol' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SegmentJson;
    expect(body.method).toBe('evol');
    expect(body.mask.area, `the oracle segmenter finds "${query}"`).toBeGreaterThan(0);
    const fromRle = decodeRle(body.mask.rle);
    const fromPng = await decodeMaskPng(Buffer.from(body.mask.png, 'base64'));
    expect([fromPng.width, fromPng.height]).toEqual([320, 240]);
    expect(Buffer.from(fromPng.data).equals(Buffer.from(fromRle.data)), 'PNG and RLE are the same mask').toBe(true);
    expect(Buffer.from(body.overlay.png, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(body.trace.phrases.length).toBeGreaterThan(0);
    expect(body.calls).toBeGreaterThan(0);
  });

  it('streams progress events as SSE and ends with the result', async () => {
    const response = await server.request('/v1/segment', { method: 'POST', key, headers: { Accept: 'text/event-stream' }, json: { image: imageUrl, query, method: 'evol' } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = [...text.matchAll(/^event: (.+)$/gmu)].map((match) => match[1]);
    expect(events[0]).toBe('segmentation-start');
    expect(events).toContain('planning-end');
    expect(events).toContain('phrase-evaluated');
    expect(events).toContain('generation-end');
    expect(events.at(-2)).toBe('segmentation-end');
    expect(events.at(-1)).toBe('result');
  });

  it('refuses a bad method, a config override of the wrong type and a missing segmenter with JSON errors', async () => {
    const badMethod = await server.request('/v1/segment', { method: 'POST', key, json: { image: imageUrl, query, method: 'magic' } });
    expect(badMethod.status).toBe(400);
    const badConfig = await server.request('/v1/segment', { method: 'POST', key, json: { image: imageUrl, query, config: { populationSize: 'many' } } });
    expect(badConfig.status).toBe(400);
    expect((await errorOf(badConfig)).message).toContain('populationSize');
    const badKind = await server.request('/v1/segment', { method: 'POST', key, json: { image: imageUrl, query, datasetKind: 'coco' } });
    expect(badKind.status, 'datasetKind is reasonseg or refcoco').toBe(400);
    const bare = await createTestServer();
    try {
      const missing = await bare.request('/v1/segment', { method: 'POST', key: await bare.keyFor('alice'), json: { image: imageUrl, query } });
      expect(missing.status).toBe(503);
      expect((await errorOf(missing)).code).toBe('backend-not-configured');
    } finally {
      await bare.close();
    }
  });

  it('survives a client that disconnects in the middle of a stream (real socket)', async () => {
    const running = await startServer({ app: server.app, port: 0, host: '127.0.0.1' });
    try {
      const controller = new AbortController();
      const response = await fetch(`${running.url}/v1/segment`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream', 'Content-Type': 'application/json' },
        body: JSON.stringify({ image: imageUrl, query, method: 'evol' }),
        signal: controller.signal,
      });
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort();
      const after = await fetch(`${running.url}/v1/segment`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ image: imageUrl, query, method: 'single' }),
      });
      expect(after.status, 'the server keeps serving after the disconnect').toBe(200);
    } finally {
      await running.close();
    }
  });
});
