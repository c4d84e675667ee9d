import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pairedBootstrap } from './bootstrap.js';
import { digestCalls } from './call-digest.js';
import { compareRuns, comparisonScatterSvg, formatComparison } from './compare.js';
import { openRun } from './run-store.js';
import { segmentationLineSchema } from './segmentation-run.js';
import type { SegmentationLine } from './segmentation-run.js';

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-compare-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A run folder whose sample i has intersection `hits[i]` out of a union of 100. */
async function fakeRun(name: string, method: string, hits: readonly number[]): Promise<string> {
  const directory = path.join(root, name);
  const store = await openRun<SegmentationLine>({
    directory,
    identity: { command: 'eval', method, dataset: '/data/synth', settings: {} },
    backends: {},
    simulated: true,
    schema: segmentationLineSchema,
  });
  for (const [index, intersection] of hits.entries()) {
    await store.append({
      kind: 'segmentation',
      id: `s${String(index).padStart(3, '0')}`,
      status: 'ok',
      query: 'q',
      isSentence: index % 2 === 0,
      intersection,
      union: 100,
      iou: intersection / 100,
      area: 100,
      wallMs: 1,
      calls: digestCalls([{ stage: 'plan', backend: 'mllm:x', latencyMs: 1, promptTokens: 10, completionTokens: 1, cacheHit: false, retries: 0, repairs: 0 }]),
      counters: { segmenterImageEncodes: method === 'evol' ? 1 : 3 },
      warnings: [],
    });
  }
  await store.close();
  return directory;
}

describe('compare', () => {
  it('pairs samples by id and bootstraps the gIoU difference to the first run', async () => {
    const baseHits = Array.from({ length: 40 }, (_unused, index) => (index * 37) % 90);
    const better = baseHits.map((hit, index) => Math.min(100, hit + 5 + (index % 3)));
    const a = await fakeRun('single-run', 'single', baseHits);
    const b = await fakeRun('evol-run', 'evol', [...better, 50, 60]);
    const comparison = await compareRuns([a, b], { resamples: 2000, seed: 11 });
    const difference = comparison.differences[0];
    expect(difference?.n, 'only the 40 shared samples are paired').toBe(40);
    expect(difference?.unshared).toBe(2);
    const iou = (hit: number) => hit / (100 + 1e-5);
    const expected = pairedBootstrap(baseHits.map(iou), better.map(iou), { resamples: 2000, seed: 11 });
    expect(difference?.low).toBeCloseTo(expected.low, 12);
    expect(difference?.high).toBeCloseTo(expected.high, 12);
    expect(difference?.excludesZero).toBe(true);
    const text = formatComparison(comparison);
    expect(text).toContain('SIMULATED');
    const points = (value: number) => `+${(value * 100).toFixed(2)}`;
    expect(text).toMatch(new RegExp(`evol-run\\s+gIoU\\s+40\\s+\\${points(expected.difference)}\\s+\\[\\${points(expected.low)}, \\${points(expected.high)}\\]\\s+yes\\s+2`));
    expect(text).toContain('encodes/image');
    const svg = comparisonScatterSvg(comparison);
    expect(svg).toContain('single-run');
    expect(svg).toContain('evol-run');
  });

  it('refuses a single run folder', async () => {
    const a = await fakeRun('lonely', 'single', [1, 2]);
    await expect(compareRuns([a])).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('reads the numbers it compares from results.jsonl', async () => {
    const a = await fakeRun('a2', 'single', [10, 20]);
    const b = await fakeRun('b2', 'single', [30, 40]);
    const comparison = await compareRuns([a, b], { resamples: 100 });
    const first = comparison.runs[0]?.summary;
    expect(first?.kind === 'segmentation' ? first.scores.giou : null).toBeCloseTo((10 + 20) / 2 / (100 + 1e-5), 12);
    expect(await readFile(path.join(b, 'results.jsonl'), 'utf8')).toContain('"intersection":30');
  });
});
