import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpError, unavailableError } from '../backends/index.js';
import { mmevolveError } from '../core/index.js';
import { isTransportFailure } from './outage.js';
import type { OutagePolicy } from './outage.js';
import { openRun, resultLineBaseSchema } from './run-store.js';
import { runSamples } from './runner.js';

const lineSchema = resultLineBaseSchema.extend({ value: z.number() });
type Line = z.infer<typeof lineSchema>;
const samples = Array.from({ length: 6 }, (_unused, index) => ({ name: `s${index}`, x: index }));
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A backend that is down until `upAt` (ms on performance.now()), then answers; sample 4 is always refused with a 400. */
function backend(upAt: () => number) {
  return async (sample: { name: string; x: number }): Promise<Line> => {
    if (performance.now() < upAt()) throw unavailableError('http://127.0.0.1:9/v1/chat/completions', new Error('connect ECONNREFUSED'));
    if (sample.x === 4) throw httpError(400, 'http://127.0.0.1:9/v1/chat/completions', 'bad request');
    return { id: sample.name, status: 'ok', value: sample.x * 10 };
  };
}

async function run(directory: string, call: (sample: { name: string; x: number }) => Promise<Line>, outage: OutagePolicy, retryFailed = false) {
  const store = await openRun<Line>({ directory, identity: { command: 'test', method: 'm', dataset: '/d', settings: {} }, backends: {}, simulated: true, schema: lineSchema });
  try {
    return await runSamples({ store, samples, id: (sample) => sample.name, concurrency: 3, outage, retryFailed, run: (sample) => call(sample), failed: (sample, error) => ({ id: sample.name, status: 'failed', error, value: 0 }) });
  } finally {
    await store.close();
  }
}

describe('backend outages', () => {
  it('tells transport failures (unreachable, timeout, 5xx, 429) from a request the server refused', () => {
    expect(isTransportFailure(unavailableError('u', new Error('ECONNRESET')))).toBe(true);
    expect(isTransportFailure(httpError(503, 'u', 'overloaded'))).toBe(true);
    expect(isTransportFailure(httpError(429, 'u', 'slow down'))).toBe(true);
    expect(isTransportFailure(httpError(400, 'u', 'bad'))).toBe(false);
    expect(isTransportFailure(mmevolveError('invalid-model-output', 'nonsense', 'none'))).toBe(false);
  });

  it('pauses samples through a 300 ms outage and loses none of them', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-outage-'));
    folders.push(directory);
    const upAt = performance.now() + 300;
    const outcome = await run(directory, backend(() => upAt), { windowMs: 5000, initialDelayMs: 20, maxDelayMs: 100 });
    expect(outcome.lines.filter((line) => line.status === 'ok')).toHaveLength(5);
    const refused = outcome.lines.find((line) => line.id === 's4');
    expect(refused?.status, 'a 400 is the sample, not an outage: failed at once').toBe('failed');
    expect(refused?.error).toMatchObject({ code: 'backend-http' });
    expect(refused?.error?.transport).toBeUndefined();
  });

  it('fails samples still unreachable after the window with the cause, and reruns exactly those on resume', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-outage-'));
    folders.push(directory);
    let upAt = Number.POSITIVE_INFINITY;
    const first = await run(directory, backend(() => upAt), { windowMs: 100, initialDelayMs: 20, maxDelayMs: 40 });
    expect(first.lines.every((line) => line.status === 'failed')).toBe(true);
    expect(first.lines.find((line) => line.id === 's0')?.error).toMatchObject({ code: 'backend-unavailable', transport: true });
    upAt = 0;
    const resumed = await run(directory, backend(() => upAt), { windowMs: 100, initialDelayMs: 20, maxDelayMs: 40 });
    expect(resumed.skipped, 'every sample the outage failed is run again').toBe(0);
    expect(resumed.lines.filter((line) => line.status === 'ok').map((line) => line.id)).toEqual(['s0', 's1', 's2', 's3', 's5']);
    const again = await run(directory, backend(() => upAt), { windowMs: 100, initialDelayMs: 20, maxDelayMs: 40 });
    expect([again.ran, again.skipped], 'a plain resume leaves the 400 failure alone').toEqual([0, 6]);
    const retried = await run(directory, backend(() => upAt), { windowMs: 100, initialDelayMs: 20, maxDelayMs: 40 }, true);
    expect(retried.ran, '--retry-failed reruns every failed sample').toBe(1);
  });
});
