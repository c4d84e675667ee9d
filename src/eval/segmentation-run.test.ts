import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallRecord, Mask, RgbImage } from '../core/index.js';
import { createMask, mmevolveError } from '../core/index.js';
import { imageIou, summarize } from './metrics.js';
import type { EvalSample } from './datasets/dataset.js';
import { writeRunReport } from './report.js';
import { RESULTS_FILE, readResultLines } from './run-store.js';
import { runSegmentationEval, segmentationLineSchema } from './segmentation-run.js';
import type { SegmentationOutcome } from './segmentation-run.js';

const DATASET = path.resolve('examples/reasonseg-mini');
const folders: string[] = [];
async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mmevolve-seg-run-'));
  folders.push(folder);
  return folder;
}
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

function call(stage: string, promptTokens: number): CallRecord {
  return { stage, backend: 'mllm:fake', latencyMs: 10, promptTokens, completionTokens: 5, cacheHit: false, retries: 0, repairs: 0 };
}

/** Fake engine: the ground truth for red-cup, its top half for shade-tree, nothing for two-boats; no-giraffe fails. */
async function fakeSegment(_image: RgbImage, sample: EvalSample): Promise<SegmentationOutcome> {
  if (sample.name === 'no-giraffe') throw mmevolveError('backend-timeout', 'the segmenter did not answer', 'retry');
  const truth = await sample.groundTruth();
  const mask: Mask = createMask(sample.width, sample.height);
  if (sample.name === 'red-cup') for (let index = 0; index < truth.data.length; index += 1) mask.data[index] = truth.data[index] === 1 ? 1 : 0;
  if (sample.name === 'shade-tree') for (let index = 0; index < truth.data.length / 2; index += 1) mask.data[index] = truth.data[index] === 1 ? 1 : 0;
  return {
    mask,
    trace: { method: 'single', variant: 'single', query: sample.query },
    calls: [call('plan', 100), call('segment', 0), call('plan', 50)],
    counters: { mllmCalls: 2, segmenterImageEncodes: 1, label: 'not a number' },
    warnings: [{ code: 'downscaled', message: 'image downscaled' }],
  };
}

async function evaluate(out: string, limit?: number) {
  return runSegmentationEval({
    dataset: DATASET,
    method: 'single',
    out,
    settings: { preset: 'published' },
    backends: { mllm: 'fake' },
    simulatedBackends: true,
    segment: (image, sample) => fakeSegment(image, sample),
    // The fake's timeout stands for a sample that never works: no outage window to wait through.
    outage: { windowMs: 0, initialDelayMs: 1, maxDelayMs: 1 },
    ...(limit === undefined ? {} : { limit }),
  });
}

describe('segmentation runs', () => {
  it('writes one line per sample with LISA counts, calls per stage, numeric counters and a trace file', async () => {
    const out = await freshFolder();
    const result = await evaluate(out);
    expect(result.lines.map((line) => line.id)).toEqual(['no-giraffe', 'red-cup', 'shade-tree', 'two-boats']);
    const cup = result.lines.find((line) => line.id === 'red-cup');
    expect(cup?.iou, 'the ground truth scores ≈ 1').toBeCloseTo(1, 4);
    expect(cup?.calls.byStage.plan).toMatchObject({ calls: 2, promptTokens: 150 });
    expect(cup?.calls.byBackend?.mllm, 'calls are also grouped by backend role').toMatchObject({ calls: 3, promptTokens: 150 });
    expect(cup?.counters).toEqual({ mllmCalls: 2, segmenterImageEncodes: 1 });
    expect(cup?.warnings).toEqual(['downscaled']);
    const failed = result.lines.find((line) => line.id === 'no-giraffe');
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'backend-timeout' } });
    const trace = JSON.parse(await readFile(path.join(out, cup?.trace ?? 'missing'), 'utf8')) as { query: string; rle: { size: number[] } };
    expect(trace.query).toBe(cup?.query);
    expect(trace.rle.size).toHaveLength(2);
    expect(result.manifest.simulated).toBe(true);
  });

  it('reports numbers recomputed from results.jsonl, and follows edits of that file', async () => {
    const out = await freshFolder();
    await evaluate(out);
    const report = await writeRunReport(out);
    const { lines } = await readResultLines(out, segmentationLineSchema);
    const expected = summarize(lines.map((line) => ({ counts: line, isSentence: line.isSentence })));
    expect(report.summary.kind).toBe('segmentation');
    if (report.summary.kind !== 'segmentation') return;
    expect(report.summary.scores.giou).toBeCloseTo(expected.giou ?? Number.NaN, 12);
    expect(report.summary.failuresByCode).toEqual({ 'backend-timeout': 1 });
    expect(report.summary.costs.callsPerSample, 'three calls per finished sample').toBe(3);
    expect(report.summary.costs.byBackend.mllm?.callsPerSample).toBe(3);
    expect(report.summary.iouHistogram.counts.reduce((sum, count) => sum + count, 0)).toBe(4);
    expect(report.title.startsWith('SIMULATED')).toBe(true);
    const markdown = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('SIMULATED');
    expect(markdown).toContain(`| overall | 4 | ${((expected.giou ?? 0) * 100).toFixed(2)} |`);
    const svg = await readFile(path.join(out, 'iou-histogram.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);

    // Rewrite one line by hand: the report must follow the file, not any state kept elsewhere.
    const edited = lines.map((line) => (line.id === 'two-boats' ? { ...line, intersection: line.union } : line));
    await writeFile(path.join(out, RESULTS_FILE), edited.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const after = await writeRunReport(out);
    if (after.summary.kind !== 'segmentation') return;
    const boats = edited.find((line) => line.id === 'two-boats');
    const gain = (boats === undefined ? 0 : imageIou(boats) - (lines.find((line) => line.id === 'two-boats')?.iou ?? 0)) / 4;
    expect(after.summary.scores.giou).toBeCloseTo((expected.giou ?? 0) + gain, 10);
  });

  it('resumes a limited run and scores the same as one run over everything', async () => {
    const whole = await freshFolder();
    await evaluate(whole);
    const split = await freshFolder();
    const first = await evaluate(split, 2);
    expect(first.ran).toBe(2);
    const second = await evaluate(split);
    expect(second.resumed).toBe(true);
    expect(second.skipped, 'the timed-out sample is an outage failure: the resume runs it again').toBe(1);
    const strip = (line: { wallMs: number }) => ({ ...line, wallMs: 0 });
    expect(second.lines.map(strip)).toEqual((await evaluate(whole)).lines.map(strip));
  });
});
