import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMask, mmevolveError } from '../core/index.js';
import type { EvalSample } from './datasets/dataset.js';
import { writeRunReport } from './report.js';
import { scoreReasonSeg } from './score.js';
import { runSegmentationEval } from './segmentation-run.js';
import type { SegmentationOutcome } from './segmentation-run.js';

const root = new URL('./datasets/__fixtures__/refer/', import.meta.url).pathname;
const images = path.join(root, 'images');
const folders: string[] = [];
afterAll(async () => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

async function fresh(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mmevolve-refer-run-'));
  folders.push(folder);
  return folder;
}

/** The ground truth for the first sample, "no target" declared for the second, an empty mask for the rest. */
async function answer(sample: EvalSample): Promise<SegmentationOutcome> {
  const base = { trace: { variant: 'fake' }, calls: [], counters: {}, warnings: [] };
  if (sample.name === 'r0_s0') return { ...base, mask: await sample.groundTruth() };
  return { ...base, mask: createMask(sample.width, sample.height), ...(sample.name === 'r1_s1' ? { noTarget: true } : {}) };
}

describe('eval on the referring-expression sets', () => {
  it('runs gRefCOCO val and reports N-acc and T-acc beside gIoU/cIoU', async () => {
    const out = await fresh();
    const result = await runSegmentationEval({
      dataset: path.join(root, 'grefcoco'),
      datasetSpec: { format: 'grefcoco', split: 'val', images },
      method: 'single',
      out,
      settings: {},
      backends: {},
      simulatedBackends: false,
      segment: (_image, sample) => answer(sample),
    });
    expect(result.lines.map((line) => [line.id, line.noTarget, line.predictedNoTarget, line.iou])).toEqual([
      ['r0_s0', false, false, 1],
      ['r1_s1', true, true, 1],
      ['r2_s2', false, true, 0],
    ]);
    const report = await writeRunReport(out);
    if (report.summary.kind !== 'segmentation') throw new Error('expected a segmentation report');
    expect(report.summary.grefcoco).toMatchObject({ nAcc: 1, tAcc: 0.5, confusion: { TP: 1, TN: 1, FP: 1, FN: 0 } });
    expect(report.summary.grefcoco?.giou).toBeCloseTo(2 / 3, 12);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('| 66.67 | ');
  });

  it('runs RefCOCO val with LISA counts and keeps the split in the run identity', async () => {
    const out = await fresh();
    const result = await runSegmentationEval({
      dataset: path.join(root, 'refcoco'),
      datasetSpec: { format: 'refcoco', split: 'val', images },
      method: 'single',
      out,
      settings: { dataset: { format: 'refcoco', split: 'val' } },
      backends: {},
      simulatedBackends: false,
      segment: async (_image, sample) => ({ mask: await sample.groundTruth(), trace: {}, calls: [], counters: {}, warnings: [] }),
    });
    expect(result.lines.map((line) => line.id)).toEqual(['r0_s0', 'r0_s1', 'r1_s2']);
    expect(result.lines.every((line) => line.iou > 0.9999 && line.noTarget === undefined), 'perfect masks score IoU ≈ 1 under LISA rules').toBe(true);
  });

  it('counts the samples that hit a per-sample cap in the report, whether the method answered or failed', async () => {
    const out = await fresh();
    await runSegmentationEval({
      dataset: path.join(root, 'refcoco'),
      datasetSpec: { format: 'refcoco', split: 'val', images },
      method: 'single',
      out,
      settings: {},
      backends: {},
      simulatedBackends: false,
      segment: async (_image, sample) => {
        if (sample.name === 'r0_s1') throw mmevolveError('budget-exceeded', "the sample's budget of 50 tokens is used up", 'raise it');
        return { mask: await sample.groundTruth(), trace: {}, calls: [], counters: {}, warnings: [], ...(sample.name === 'r0_s0' ? { budgetHit: 'calls' as const } : {}) };
      },
    });
    const report = await writeRunReport(out);
    if (report.summary.kind !== 'segmentation') throw new Error('expected a segmentation report');
    expect(report.summary.capped).toEqual({ samples: 2, calls: 1, tokens: 1 });
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('Budget caps hit: 2 sample(s) (1 by --max-calls-per-sample, 1 by --max-tokens-per-sample)');
  });

  it('eval --save-masks output scores identically through score, as PNG folder and as RLE JSON', async () => {
    const out = await fresh();
    const saved = path.join(out, 'masks');
    const spec = { format: 'refcoco' as const, split: 'val', images };
    await runSegmentationEval({
      dataset: path.join(root, 'refcoco'),
      datasetSpec: spec,
      saveMasks: saved,
      method: 'single',
      out,
      settings: {},
      backends: {},
      simulatedBackends: false,
      segment: async (_image, sample) => {
        // A model failure, not an outage: transport errors would be retried for the outage window.
        if (sample.name === 'r1_s2') throw mmevolveError('invalid-model-output', 'no usable answer', 'retry');
        const truth = await sample.groundTruth();
        // r0_s1: the top half of the ground truth only, so the scores are not trivially 1.
        if (sample.name === 'r0_s1') truth.data.fill(0, Math.floor(truth.data.length / 2));
        return { mask: truth, trace: {}, calls: [], counters: {}, warnings: [] };
      },
    });
    const report = await writeRunReport(out);
    if (report.summary.kind !== 'segmentation') throw new Error('expected a segmentation report');
    const fromPngs = await scoreReasonSeg(path.join(root, 'refcoco'), saved, spec);
    const fromJson = await scoreReasonSeg(path.join(root, 'refcoco'), path.join(saved, 'predictions.json'), spec);
    expect(report.summary.scores.giou, 'the run is not trivially perfect').toBeLessThan(0.9);
    for (const scored of [fromPngs, fromJson]) {
      expect(scored.giou, 'gIoU from saved masks').toBe(report.summary.scores.giou);
      expect(scored.ciou, 'cIoU from saved masks').toBe(report.summary.scores.ciou);
      expect(scored.missing, 'the failed sample has no saved mask and scores as empty').toEqual(['r1_s2']);
    }
  });
});
