/**
 * Fuzz and fault suite, outage (issue 15) through `serve`: the SIMULATED MLLM server is killed for 5 s in
 * the middle of a /v1/runs evaluation, and the server itself is restarted while the model is down. The run
 * must resume and finish with every sample answered once — none failed, lost or doubled. (The same fault
 * through `mmevolve eval` is src/cli/commands/eval-outage.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { exportReasonSeg, resolveSimConfig, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import type { RunRecord } from './runs/run-record.js';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

const SAMPLES = 6;
const OUTAGE_MS = 5000;

let root: string;
let mllm: SimMllmServer | undefined;
let mllmPort = 0;
let segmenter: SimSegmenterServer;
let backends: Backends;

// ~40 ms per SIMULATED answer, so the run is still going when the model server is killed.
const startMllm = (port: number) => startSimMllmServer({ port, host: '127.0.0.1', config: resolveSimConfig({ preset: 'oracle', noise: { latency: { medianMs: 40, sigma: 0 } } }) });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-run-outage-'));
  await exportReasonSeg({ n: SAMPLES, seed: 6, out: path.join(root, 'datasets', 'synth') });
  mllm = await startMllm(0);
  mllmPort = Number(new URL(mllm.url).port);
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  backends = createBackends(
    parseConfig({
      backends: {
        mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false }, maxRetries: 1 },
        segmenter: { baseURL: segmenter.url },
      },
      cache: { enabled: false },
    }),
  );
});

afterAll(async () => {
  backends.close();
  await Promise.all([mllm?.close(), segmenter.close()]);
  await rm(root, { recursive: true, force: true });
});

const serverOn = (): Promise<TestServer> => createTestServer({ backends, runsDir: path.join(root, 'runs'), datasetsDir: path.join(root, 'datasets') });

async function waitFor(server: TestServer, key: string, id: string, done: (run: RunRecord) => boolean, what: string): Promise<RunRecord> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await server.request(`/v1/runs/${id}`, { key });
    // Polled at 10/s, under the key's 20/s rate limit; a 429 (a slow machine bunching polls) only waits.
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      continue;
    }
    const run = (await response.json()) as RunRecord;
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the run is ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('fuzz and fault suite: a backend outage during a served run (SIMULATED servers)', () => {
  it('loses no sample when the MLLM server is killed for 5 s mid-run and serve is restarted during the outage', async () => {
    const first = await serverOn();
    const key = await first.keyFor('alice', ['read', 'runs']);
    const started = (await (await first.request('/v1/runs', { method: 'POST', key, json: { dataset: 'synth', method: 'single' } })).json()) as RunRecord;
    await waitFor(first, key, started.id, (run) => run.progress.done >= 1, 'a first finished sample');

    const killedAt = Date.now();
    await mllm?.close();
    mllm = undefined;
    // Samples in flight meet the dead server now; a moment later serve goes down with them paused.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const beforeRestart = await waitFor(first, key, started.id, () => true, 'the record');
    expect(beforeRestart.state, `the run rides the outage out instead of failing: ${JSON.stringify(beforeRestart)}`).toBe('running');
    await first.close();

    const second = await serverOn();
    try {
      expect(await second.runs?.recover(), 'the restarted server resumes the run').toEqual([started.id]);
      const secondKey = (await second.keyStore.create('alice', ['read', 'runs'])).key;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - killedAt))));
      mllm = await startMllm(mllmPort);

      const finished = await waitFor(second, secondKey, started.id, (run) => run.state !== 'running' && run.state !== 'queued', 'the resumed run to end');
      expect(finished.state, JSON.stringify(finished)).toBe('done');
      expect(finished.outcome, 'nothing failed or left over').toMatchObject({ failed: 0, remaining: 0 });
      const results = (await (await second.request(`/v1/runs/${started.id}/results`, { key: secondKey })).json()) as { results: { id: string; status: string }[] };
      expect(results.results.filter((line) => line.status !== 'ok'), 'no sample failed').toEqual([]);
      expect(results.results.map((line) => line.id).sort(), 'every sample exactly once').toEqual([...new Set(results.results.map((line) => line.id))].sort());
      expect(results.results).toHaveLength(SAMPLES);
    } finally {
      await second.close();
    }
  }, 60_000);
});
