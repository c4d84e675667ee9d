import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestCalls, openRun, segmentationLineSchema } from '../../eval/index.js';
import type { SegmentationLine } from '../../eval/index.js';
import { runCompareCommand } from './compare.js';
import { runExportPairsCommand } from './export-pairs.js';

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-compare-cli-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A finished SIMULATED run whose sample i has IoU hits[i]/100, each with a minimal evol trace. */
async function fakeRun(name: string, hits: readonly number[], failedIndex = -1): Promise<string> {
  const directory = path.join(root, name);
  const store = await openRun<SegmentationLine>({ directory, identity: { command: 'eval', method: 'evol', dataset: '/data/synth', settings: { preset: name } }, backends: {}, simulated: true, schema: segmentationLineSchema });
  await mkdir(path.join(directory, 'traces'), { recursive: true });
  for (const [index, intersection] of hits.entries()) {
    const id = `s${index}`;
    const rle = { size: [2, 2], counts: '04' };
    const trace = {
      name: id,
      imagePath: path.join(directory, `${id}.jpg`),
      query: 'q',
      isSentence: false,
      method: 'evol',
      rle,
      trace: { phrases: [{ generation: 1, phrase: 'a', rle, gate: { passed: true } }], generations: [{ index: 1, population: [{ phrase: 'a', valid: true, fitness: 10 }], fights: [] }] },
    };
    await writeFile(path.join(directory, 'traces', `${id}.json`), JSON.stringify(trace));
    await writeFile(trace.imagePath, `image bytes of ${id}`);
    const outcome = index === failedIndex ? { status: 'failed' as const, error: { code: 'backend-unavailable', message: 'cannot reach the MLLM', transport: true } } : { status: 'ok' as const };
    await store.append({ kind: 'segmentation', id, ...outcome, query: 'q', isSentence: false, intersection, union: 100, iou: intersection / 100, area: 100, wallMs: 1, calls: digestCalls([]), counters: {}, trace: `traces/${id}.json`, warnings: [] });
  }
  await store.close();
  return directory;
}

describe('mmevolve compare and export-pairs', () => {
  it('prints the JSON comparison without per-sample lists and writes the across-runs plot', async () => {
    const a = await fakeRun('published', [10, 20, 30, 40]);
    const b = await fakeRun('improved', [20, 30, 40, 50]);
    const plot = path.join(root, 'plot.svg');
    const json = JSON.parse(await runCompareCommand([a, b], { resamples: 500, seed: 2, json: true, plot })) as {
      simulated: boolean;
      runs: Array<{ summary: Record<string, unknown> }>;
      differences: Array<{ difference: number; low: number; high: number; n: number }>;
    };
    expect(json.simulated).toBe(true);
    expect(json.runs[0]?.summary.perSample).toBeUndefined();
    expect(json.differences[0]?.n).toBe(4);
    expect(json.differences[0]?.difference).toBeCloseTo(10 / (100 + 1e-5), 9);
    expect(json.differences[0]?.low, 'every pair differs by the same amount').toBeCloseTo(json.differences[0]?.high ?? Number.NaN, 12);
    expect(await readFile(plot, 'utf8')).toContain('SIMULATED');
  });

  it('refuses to compare runs with failed samples unless --allow-failed, and then warns loudly', async () => {
    const a = await fakeRun('clean', [10, 20, 30, 40]);
    const b = await fakeRun('outage', [10, 0, 30, 40], 1);
    await expect(runCompareCommand([a, b], { resamples: 200, seed: 1 })).rejects.toThrow(/failed sample/u);
    const warnings: string[] = [];
    const text = await runCompareCommand([a, b], { resamples: 200, seed: 1, allowFailed: true }, (line) => warnings.push(line));
    expect(warnings.join('')).toContain('!!! WARNING');
    expect(text).toContain('FAILED SAMPLES');
  });

  it('writes GSPO groups, reports what it skipped and says SIMULATED', async () => {
    const run = await fakeRun('pairs', [10, 20]);
    const out = path.join(root, 'groups.jsonl');
    const message = await runExportPairsCommand(run, { format: 'gspo', out });
    expect(message).toContain('wrote 2 gspo record(s) from 2 trace(s)');
    expect(message).toContain('degenerate 2');
    expect(message).toContain('copied 2 image(s)');
    expect(message).toContain('SIMULATED');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['s0:group', 's1:group']);
  });
});
