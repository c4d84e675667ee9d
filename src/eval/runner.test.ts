import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import { lineReporter } from './progress.js';
import { LOCK_FILE } from './run-lock.js';
import { RESULTS_FILE, openRun, readResultLines, resultLineBaseSchema } from './run-store.js';
import type { RunIdentity } from './run-store.js';
import { runSamples } from './runner.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;

const folders: string[] = [];
async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mmevolve-runner-'));
  folders.push(folder);
  return folder;
}
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const identity: RunIdentity = { command: 'test', method: 'square', dataset: '/data/numbers', settings: { preset: 'published' } };
const samples = Array.from({ length: 12 }, (_unused, index) => ({ name: `sample-${String(index).padStart(2, '0')}`, x: index }));

function square(sample: { name: string; x: number }): Line {
  if (sample.x === 7) throw mmevolveError('invalid-model-output', 'model answered nonsense', 'none');
  return { id: sample.name, status: 'ok', value: sample.x * sample.x };
}

async function runAll(directory: string, options: { abortAfter?: number; concurrency?: number; limit?: number } = {}) {
  const store = await openRun<Line>({ directory, identity, backends: { mllm: 'sim' }, simulated: true, schema: lineSchema });
  const controller = new AbortController();
  let started = 0;
  const outcome = await runSamples({
    store,
    samples,
    id: (sample) => sample.name,
    concurrency: options.concurrency ?? 3,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    signal: controller.signal,
    run: async (sample, signal) => {
      started += 1;
      if (options.abortAfter !== undefined && started > options.abortAfter) controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 5 + ((sample.x * 7) % 5)));
      signal.throwIfAborted();
      return square(sample);
    },
    failed: (sample, error) => ({ id: sample.name, status: 'failed', error, value: 0 }),
  });
  await store.close();
  return outcome;
}

describe('resumable runs', () => {
  it('gives the same lines after an abort and a resume as an uninterrupted run, without duplicates', async () => {
    const straight = await freshFolder();
    const whole = await runAll(straight);
    expect(whole.interrupted).toBe(false);
    expect(whole.lines).toHaveLength(12);

    const interrupted = await freshFolder();
    const first = await runAll(interrupted, { abortAfter: 5 });
    expect(first.interrupted, 'the abort should be reported').toBe(true);
    expect(first.remaining, 'some samples must be left for the resume').toBeGreaterThan(0);
    const partial = await readResultLines(interrupted, lineSchema);
    expect(partial.lines.length).toBe(12 - first.remaining);
    const second = await runAll(interrupted);
    expect(second.skipped).toBe(partial.lines.length);
    expect(second.ran).toBe(first.remaining);

    const resumed = await readResultLines(interrupted, lineSchema);
    const ids = resumed.lines.map((line) => line.id);
    expect(new Set(ids).size, 'no sample may be written twice').toBe(ids.length);
    const byId = (lines: Line[]) => [...lines].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(resumed.lines)).toEqual(byId((await readResultLines(straight, lineSchema)).lines));
  });

  it('records a failing sample with its error code instead of crashing', async () => {
    const folder = await freshFolder();
    const outcome = await runAll(folder);
    const failed = outcome.lines.filter((line) => line.status === 'failed');
    expect(failed.map((line) => line.id)).toEqual(['sample-07']);
    expect(failed[0]?.error?.code).toBe('invalid-model-output');
    expect(outcome.failed).toBe(1);
  });

  it('ignores and cuts a torn last line, then appends cleanly', async () => {
    const folder = await freshFolder();
    await runAll(folder, { limit: 4 });
    await appendFile(path.join(folder, RESULTS_FILE), '{"id":"sample-04","sta');
    const store = await openRun<Line>({ directory: folder, identity, backends: {}, simulated: true, schema: lineSchema });
    expect(store.warnings.map((warning) => warning.code)).toEqual(['torn-line']);
    expect(store.finished.size).toBe(4);
    await store.close();
    await runAll(folder, { limit: 6 });
    const text = await readFile(path.join(folder, RESULTS_FILE), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const read = await readResultLines(folder, lineSchema);
    expect(read.torn).toBe(false);
    expect(read.lines.map((line) => line.id).sort()).toEqual(samples.slice(0, 6).map((sample) => sample.name));
  });

  it('refuses to resume a folder made by a different method or settings', async () => {
    const folder = await freshFolder();
    await runAll(folder, { limit: 1 });
    const other = { ...identity, settings: { preset: 'improved' } };
    await expect(openRun<Line>({ directory: folder, identity: other, backends: {}, simulated: true, schema: lineSchema })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('setting preset differs') as unknown as string,
    });
    await expect(openRun<Line>({ directory: folder, identity: { ...identity, method: 'cube' }, backends: {}, simulated: true, schema: lineSchema })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lets one run of a folder at a time, and takes over the lock of a process that no longer exists', async () => {
    const folder = await freshFolder();
    const open = () => openRun<Line>({ directory: folder, identity, backends: {}, simulated: true, schema: lineSchema });
    const first = await open();
    await expect(open()).rejects.toMatchObject({ code: 'conflict' });
    await first.close();
    // A pid far above any pid_max stands for a process killed without cleaning up.
    await writeFile(path.join(folder, LOCK_FILE), '2147483646\n');
    const second = await open();
    expect(await readFile(path.join(folder, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await second.close();
  });

  it('rejects a damaged line that is not the last one', async () => {
    const folder = await freshFolder();
    await writeFile(path.join(folder, RESULTS_FILE), 'garbage\n{"id":"a","status":"ok","value":1}\n');
    await expect(readResultLines(folder, lineSchema)).rejects.toMatchObject({ code: 'invalid-dataset' });
  });

  it('runs only the first N samples with a limit and extends the run when the limit grows', async () => {
    const folder = await freshFolder();
    const first = await runAll(folder, { limit: 3 });
    expect(first.lines.map((line) => line.id)).toEqual(['sample-00', 'sample-01', 'sample-02']);
    const second = await runAll(folder, { limit: 5 });
    expect(second.skipped).toBe(3);
    expect(second.ran).toBe(2);
  });
});

describe('plain progress lines', () => {
  it('prints done/total, percentage, an ETA from the measured rate and the running metric', () => {
    const written: string[] = [];
    let clock = 0;
    const reporter = lineReporter('eval', { write: (text: string) => written.push(text) }, () => clock);
    reporter.start(20, 0, '');
    clock = 10_000;
    reporter.update(1, 'gIoU 50.00');
    clock = 20_000;
    reporter.update(2, 'gIoU 55.00');
    expect(written[0]).toBe('eval 0/20 (0%)\n');
    expect(written[1]).toBe('eval 1/20 (5%) ETA 3m10s gIoU 50.00\n');
    expect(written[2]).toBe('eval 2/20 (10%) ETA 3m00s gIoU 55.00\n');
  });
});
