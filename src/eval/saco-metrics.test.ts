import { describe, expect, it } from 'vitest';
import type { Mask } from '../core/index.js';
import { createMask } from '../core/index.js';
import { linearSumAssignment } from './hungarian.js';
import { evaluateImage, selectBestScoring, summarizeSaco } from './saco-metrics.js';

/** A 10×10 mask with the first `count` pixels of row `y` set. */
function row(y: number, count: number): Mask {
  const mask = createMask(10, 10);
  for (let x = 0; x < count; x += 1) mask.data[y * 10 + x] = 1;
  return mask;
}

describe('SA-Co cgF1 / pmF1 / IL_MCC (sam3/eval/cgf1_eval.py)', () => {
  // A: two targets, predictions with IoU 0.8 and 0.6 (a third, scored 0.3, is dropped by the 0.5 threshold
  // before evaluation). B: no target, one prediction. C, E: no target, nothing predicted. D: a target, nothing predicted.
  const images = [
    evaluateImage([row(0, 8), row(2, 6)], [row(0, 10), row(2, 10)]),
    evaluateImage([row(1, 4)], []),
    evaluateImage([], []),
    evaluateImage([], [row(5, 10)]),
    evaluateImage([], []),
  ];
  const summary = summarizeSaco(images);

  it('counts image-level TP/FP/TN/FN and IL_MCC by hand', () => {
    expect(summary.imageLevel).toEqual({ TP: 1, FP: 1, TN: 2, FN: 1 });
    // MCC = (TP·TN − FP·FN) / (√((TP+FP)(TP+FN)(TN+FP)(TN+FN)) + 1e-6) = (2 − 1) / (√(2·2·3·3) + 1e-6)
    expect(summary.ilMcc).toBeCloseTo(1 / (6 + 1e-6), 15);
  });

  it('computes pmF1 and cgF1 over the ten thresholds by hand', () => {
    // A's matched IoUs 0.8 and 0.6 → TP per threshold 0.50…0.95: 2,2,2,1,1,1,1,0,0,0. Only A has targets and
    // predictions, so pmFP = A's FP = 2 − TP; FN = (2 − TP) + 1 (image D).
    const tps = [2, 2, 2, 1, 1, 1, 1, 0, 0, 0];
    const pmF1s = tps.map((tp) => {
      const precision = tp / (tp + (2 - tp) + 1e-4);
      const recall = tp / (tp + (2 - tp) + 1 + 1e-4);
      return (2 * precision * recall) / (precision + recall + 1e-4);
    });
    const pmF1 = pmF1s.reduce((a, b) => a + b, 0) / 10;
    expect(summary.pmF1).toBeCloseTo(pmF1, 14);
    expect(summary.cgF1).toBeCloseTo(pmF1 * (1 / (6 + 1e-6)), 14);
  });

  it('agrees with the numbers sam3 CGF1Evaluator printed for the same five images (pycocotools 2.0.11, scipy 1.17)', () => {
    expect(summary.cgF1).toBeCloseTo(0.06665838950623519, 12);
    expect(summary.pmF1).toBeCloseTo(0.3999504036958007, 12);
    expect(summary.ilMcc).toBeCloseTo(0.16666663888889352, 12);
    expect(summary.cgF1At50).toBeCloseTo(0.13331997844665694, 12);
    expect(summary.cgF1At75).toBeCloseTo(0.0666559899305953, 12);
  });

  it('keeps the most favourable of several annotators (oracle), an empty-and-unpredicted one winning outright', () => {
    const strict = evaluateImage([row(0, 6)], [row(0, 10)]); // IoU 0.6
    const loose = evaluateImage([row(0, 6)], [row(0, 7)]); // IoU 6/7
    expect(selectBestScoring([strict, loose])).toBe(loose);
    const nothing = evaluateImage([], []);
    expect(selectBestScoring([strict, nothing]), 'an annotator who saw no target, with nothing predicted, is a perfect match').toBe(nothing);
  });
});

describe('linearSumAssignment', () => {
  it('finds the minimum-cost matching of a rectangular matrix, pairs sorted by row', () => {
    expect(linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]])).toEqual([[0, 1], [1, 0], [2, 2]]);
    expect(linearSumAssignment([[1, 9], [9, 1], [5, 5]])).toEqual([[0, 0], [1, 1]]);
    expect(linearSumAssignment([[-0.2, -0.9, 0]])).toEqual([[0, 1]]);
  });
});
