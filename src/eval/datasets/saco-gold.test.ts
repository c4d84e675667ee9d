import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskArea } from '../../vision/index.js';
import { openPredictions } from '../predictions.js';
import { scoreDataset } from '../score.js';
import { loadSacoGold } from './saco-gold.js';

const root = new URL('./__fixtures__/saco/', import.meta.url).pathname;
const annotations = [path.join(root, 'gold_tiny_merged_a_release_test.json'), path.join(root, 'gold_tiny_merged_b_release_test.json')];
const images = path.join(root, 'images');

describe('loadSacoGold', () => {
  it('keeps instance-exhaustive pairs not excluded by another annotator, with negatives marked', async () => {
    const dataset = await loadSacoGold({ annotations, images });
    // 13 is not instance-exhaustive; 14 is not in annotator b's file, so SAM 3's evaluator leaves it out.
    expect(dataset.samples.map((sample) => [sample.name, sample.query, sample.noTarget])).toEqual([
      ['10', 'cat', false],
      ['11', 'dog', false],
      ['12', 'unicorn', true],
      ['20', 'triangle', false],
    ]);
    const dog = dataset.samples[1]!;
    const sets = await dog.instanceSets!();
    expect(sets.map((set) => set.length), 'annotator a: two dogs; b: one group mask').toEqual([2, 1]);
    // The crowd annotation of pair 20 is ignored: the ground truth is the triangle alone.
    const triangle = dataset.samples[3]!;
    expect((await triangle.instanceSets!())[0]?.length).toBe(1);
    expect(maskArea(await triangle.groundTruth())).toBe(maskArea((await triangle.instanceSets!())[0]![0]!));
  });

  it('scores the fixture predictions to the cgF1, pmF1 and IL_MCC sam3 CGF1Evaluator printed for them', async () => {
    const dataset = await loadSacoGold({ annotations, images });
    const report = await scoreDataset(dataset.samples, await openPredictions(path.join(root, 'predictions.json')), { scoring: 'saco' });
    // Hand check: pairs 10, 11 found (IL TP 2), 12 predicted without a target (FP 1), 20 missed (FN 1), no TN:
    // MCC = (0 − 1) / (√(3·3·1·1) + 1e-6); pmF1 = F1 of P = 3/(3+1e-4), R = 3/(4+1e-4) at every threshold.
    expect(report.saco?.imageLevel).toEqual({ TP: 2, FP: 1, TN: 0, FN: 1 });
    expect(report.saco?.ilMcc).toBeCloseTo(-0.33333322222225925, 12);
    expect(report.saco?.pmF1).toBeCloseTo(0.8570693911952445, 12);
    expect(report.saco?.cgF1).toBeCloseTo(-0.28568970183518083, 12);
    expect(report.missing).toEqual(['20']);
  });
});
