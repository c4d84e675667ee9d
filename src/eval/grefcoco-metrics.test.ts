import { describe, expect, it } from 'vitest';
import type { Mask } from '../core/index.js';
import { createMask } from '../core/index.js';
import { grefcocoCounts, summarizeGrefcoco } from './grefcoco-metrics.js';

/** A 4×4 mask with the listed pixel indices set. */
function mask(pixels: number[]): Mask {
  const result = createMask(4, 4);
  for (const pixel of pixels) result.data[pixel] = 1;
  return result;
}

const target = mask([0, 1, 2, 3]);
const empty = mask([]);

describe('gRefCOCO metrics (ReLA ReferEvaluator)', () => {
  it('scores each of the four cases as ReLA does', () => {
    // targeted, answered with a mask: I = 3, U = 4 + 6 − 3 = 7
    expect(grefcocoCounts(mask([1, 2, 3, 4, 5, 6]), target, false, false)).toMatchObject({ intersection: 3, union: 7, iou: 3 / 7 });
    // targeted, answered "no target" with an empty mask: I = 0, U = |gt| = 4
    expect(grefcocoCounts(empty, target, false, true)).toMatchObject({ intersection: 0, union: 4, iou: 0 });
    // targeted, declared "no target" but a mask came along: ReLA zeroes I and keeps U
    expect(grefcocoCounts(mask([1, 2, 3, 4, 5, 6]), target, false, true)).toMatchObject({ intersection: 0, union: 7, iou: 0 });
    // no target, answered "no target": IoU 1, nothing added to ΣI or ΣU
    expect(grefcocoCounts(empty, empty, true, true)).toMatchObject({ intersection: 0, union: 0, iou: 1 });
    // no target, answered with 5 pixels: IoU 0, ΣU grows by 5
    expect(grefcocoCounts(mask([8, 9, 10, 11, 12]), empty, true, false)).toMatchObject({ intersection: 0, union: 5, iou: 0 });
  });

  it('computes gIoU, cIoU, N-acc and T-acc by hand on four samples', () => {
    const summary = summarizeGrefcoco([
      grefcocoCounts(mask([1, 2, 3, 4, 5, 6]), target, false, false), // TN, IoU 3/7
      grefcocoCounts(empty, target, false, true), // FP, IoU 0, U 4
      grefcocoCounts(empty, empty, true, true), // TP, IoU 1
      grefcocoCounts(mask([8, 9, 10, 11, 12]), empty, true, false), // FN, IoU 0, U 5
    ]);
    expect(summary.confusion).toEqual({ TP: 1, TN: 1, FP: 1, FN: 1 });
    expect(summary.giou, 'gIoU = (3/7 + 0 + 1 + 0) / 4').toBeCloseTo((3 / 7 + 1) / 4, 12);
    expect(summary.ciou, 'cIoU = 3 / (7 + 4 + 0 + 5)').toBeCloseTo(3 / 16, 12);
    expect(summary.nAcc).toBe(0.5);
    expect(summary.tAcc).toBe(0.5);
  });

  it('leaves N-acc empty when the split has no no-target expression', () => {
    const summary = summarizeGrefcoco([grefcocoCounts(target, target, false, false)]);
    expect(summary.nAcc, 'N-acc over zero no-target samples is undefined, not 0').toBeNull();
    expect(summary.tAcc).toBe(1);
    expect(summary.giou).toBe(1);
  });
});
