/**
 * Several model replicas (issue 16): two SIMULATED MLLM servers on loopback behind one `mllm` backend with
 * `replicas`, one stopped mid-test and started again on its port; and the pool's rules on their own, over
 * an injected fetch and clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../core/index.js';
import { generateScene, renderScene, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer } from '../sim/index.js';
import { parseConfig } from './config.js';
import { createBackends } from './create-backends.js';
import type { Backends } from './create-backends.js';
import { createReplicaPool } from './replica-pool.js';

const rendered = renderScene(generateScene(12, { width: 160, height: 120 }));
let first: SimMllmServer;
let second: SimMllmServer | undefined;
let secondPort = 0;
let backends: Backends;

const startSim = (port: number) => startSimMllmServer({ port, host: '127.0.0.1', preset: 'oracle' });

beforeAll(async () => {
  first = await startSim(0);
  second = await startSim(0);
  secondPort = Number(new URL(second.url).port);
  // maxRetries 0: whatever keeps calls alive below is the pool moving them to the other replica, not a retry.
  backends = createBackends(parseConfig({ backends: { mllm: { baseURL: `${first.url}/v1`, replicas: [`${second.url}/v1`], model: first.modelId, profile: 'qwen2.5-vl', maxRetries: 0, timeoutMs: 5000 } }, cache: { enabled: false } }));
});

afterAll(async () => {
  backends.close();
  await Promise.all([first.close(), second?.close()]);
});

async function calls(count: number, atOnce: number): Promise<number> {
  const mllm = backends.mllm;
  if (mllm === undefined) throw new Error('no mllm backend');
  let failed = 0;
  for (let start = 0; start < count; start += atOnce) {
    const batch = Array.from({ length: Math.min(atOnce, count - start) }, (_, index) =>
      mllm
        .chat({ messages: [{ role: 'user', content: 'Query: the red square' }], images: [rendered.image], schema: { name: 'plan_phrases', schema: taskResponseSchema('plan_phrases') }, seed: start + index, temperature: 0.7, stage: 'plan' })
        .then(
          () => undefined,
          () => void (failed += 1),
        ),
    );
    await Promise.all(batch);
  }
  return failed;
}

const served = (server: SimMllmServer | undefined): number => server?.metrics.completions ?? 0;

describe('several model replicas (SIMULATED MLLM servers)', () => {
  it('spreads calls over both replicas, loses none while one is down, and takes the restarted one back', async () => {
    expect(await calls(24, 4), 'failed calls with both replicas up').toBe(0);
    const [firstShare, secondShare] = [served(first), served(second)];
    expect(Math.min(firstShare, secondShare), `load spread ${firstShare}/${secondShare}`).toBeGreaterThanOrEqual(8);

    await second?.close();
    second = undefined;
    const firstBefore = served(first);
    expect(await calls(24, 4), 'failed calls while the second replica is down (the first could serve them all)').toBe(0);
    expect(served(first) - firstBefore, 'the first replica served every call').toBe(24);

    second = await startSim(secondPort);
    const deadline = Date.now() + 20_000;
    while (served(second) === 0 && Date.now() < deadline) {
      expect(await calls(4, 2), 'failed calls while the second replica comes back').toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served(second), 'the restarted replica was probed back in and serves again').toBeGreaterThan(0);
  }, 40_000);

  it('moves a SAM 3 segmenter call to the replica that is up', async () => {
    const up = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
    const down = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
    const downURL = down.url;
    await down.close();
    const segmenting = createBackends(parseConfig({ backends: { segmenter: { baseURL: downURL, replicas: [up.url], maxRetries: 0 } }, cache: { enabled: false } }));
    try {
      const segmenter = segmenting.segmenter;
      if (segmenter === undefined) throw new Error('no segmenter backend');
      const prepared = await segmenter.prepare(rendered.image);
      const results = await Promise.all(Array.from({ length: 4 }, () => segmenter.segmentText(prepared, 'red square')));
      expect(results).toHaveLength(4);
    } finally {
      segmenting.close();
      await up.close();
    }
  });
});

describe('the replica pool', () => {
  function fakeReplicas(status: Record<string, number | 'refused'>) {
    const sent: string[] = [];
    const fetchImpl: typeof fetch = (input) => {
      const url = String(input);
      sent.push(url);
      const answer = status[new URL(url).host] ?? 200;
      if (answer === 'refused') return Promise.reject(new TypeError('fetch failed'));
      return Promise.resolve(new Response('{}', { status: answer }));
    };
    return { sent, fetchImpl };
  }

  it('sends each request to the replica with the fewest outstanding, in turn when they tie', async () => {
    const { sent, fetchImpl } = fakeReplicas({});
    const pool = createReplicaPool({ baseURLs: ['http://a/v1', 'http://b/v1', 'http://c/v1'], probePath: '/models', fetch: fetchImpl });
    for (let index = 0; index < 6; index += 1) await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(sent.map((url) => new URL(url).host).sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(sent.every((url) => url.endsWith('/v1/chat/completions'))).toBe(true);
  });

  it('moves a call past refused connections and 5xx answers, ejects the replica after two failures, and probes it back in with backoff', async () => {
    let clock = 0;
    const status: Record<string, number | 'refused'> = { a: 'refused' };
    const { sent, fetchImpl } = fakeReplicas(status);
    const pool = createReplicaPool({ baseURLs: ['http://a/v1', 'http://b/v1'], probePath: '/models', fetch: fetchImpl, probeDelayMs: 1000, now: () => clock });
    for (let index = 0; index < 6; index += 1) expect((await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(pool.replicas().map((replica) => replica.healthy)).toEqual([false, true]);
    const triedA = sent.filter((url) => url.startsWith('http://a/')).length;
    expect(triedA, 'an ejected replica gets no calls, only probes').toBe(2);

    clock = 1500;
    await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent.filter((url) => url === 'http://a/v1/models'), 'one probe once its delay passed').toHaveLength(1);
    clock = 2500;
    await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(sent.filter((url) => url === 'http://a/v1/models'), 'the next probe waits twice as long').toHaveLength(1);

    status['a'] = 200;
    status['b'] = 503;
    clock = 3600;
    await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pool.replicas()[0]?.healthy, 'a probe answered below 500 takes the replica back in').toBe(true);
    const answer = await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(answer.status, 'a 503 from one replica is served by the other').toBe(200);
  });

  it('reports each replica: in or out, failures in a row, time to its next probe, requests outstanding and answered', async () => {
    let clock = 0;
    let hold = false;
    let release: (() => void) | undefined;
    const fetchImpl: typeof fetch = (input) => {
      if (new URL(String(input)).host === 'a') return Promise.reject(new TypeError('fetch failed'));
      if (!hold) return Promise.resolve(new Response('{}', { status: 200 }));
      return new Promise((resolve) => {
        release = () => resolve(new Response('{}', { status: 200 }));
      });
    };
    const pool = createReplicaPool({ baseURLs: ['http://a/v1/', 'http://b/v1'], probePath: '/models', fetch: fetchImpl, probeDelayMs: 1000, now: () => clock });
    expect(pool.replicas(), 'both in before any request').toEqual([
      { baseURL: 'http://a/v1', healthy: true, outstanding: 0, served: 0, consecutiveFailures: 0, nextProbeInMs: null },
      { baseURL: 'http://b/v1', healthy: true, outstanding: 0, served: 0, consecutiveFailures: 0, nextProbeInMs: null },
    ]);
    // Requests in turn: a refuses each one it gets (moved on to b) until it is taken out after two.
    for (let index = 0; index < 4; index += 1) expect((await pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' })).status).toBe(200);
    hold = true;
    const inFlight = pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock = 400;
    expect(pool.replicas(), 'a out after two refusals, probed 1000 ms after; b holds one call in flight').toEqual([
      { baseURL: 'http://a/v1', healthy: false, outstanding: 0, served: 0, consecutiveFailures: 2, nextProbeInMs: 600 },
      { baseURL: 'http://b/v1', healthy: true, outstanding: 1, served: 4, consecutiveFailures: 0, nextProbeInMs: null },
    ]);
    release?.();
    expect((await inFlight).status).toBe(200);
    expect(pool.replicas()[1]?.outstanding, 'an answered call is no longer outstanding').toBe(0);
    clock = 5000;
    expect(pool.replicas()[0]?.nextProbeInMs, 'a probe that is due reads 0, never negative').toBe(0);
    const snapshot = pool.replicas();
    snapshot[0]!.healthy = true;
    expect(pool.replicas()[0]?.healthy, 'the snapshot is a copy: changing it changes nothing').toBe(false);
  });

  it('does not move a call the caller aborted', async () => {
    const { sent, fetchImpl } = fakeReplicas({ a: 'refused', b: 'refused' });
    const pool = createReplicaPool({ baseURLs: ['http://a/v1', 'http://b/v1'], probePath: '/models', fetch: fetchImpl });
    const controller = new AbortController();
    controller.abort();
    await expect(pool.fetch('http://a/v1/chat/completions', { method: 'POST', body: '{}', signal: controller.signal })).rejects.toThrow();
    expect(sent, 'one attempt, no second replica').toHaveLength(1);
  });
});
