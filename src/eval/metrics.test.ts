import { describe, expect, it } from 'vitest';
import type { Mask } from '../core/index.js';
import { isMmevolveError } from '../core/index.js';
import { imageIou, segmentationCounts, summarize } from './metrics.js';

/** Rows of digits; 'x' stands for 255 (ignore) so label maps stay readable. */
function grid(rows: string[]): Mask {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x += 1) {
      const character = row[x] ?? '0';
      data[y * width + x] = character === 'x' ? 255 : Number(character);
    }
  });
  return { width, height, data };
}

describe('segmentationCounts', () => {
  it('counts nothing for an empty prediction on an image with no target', () => {
    expect(segmentationCounts(grid(['000', '000']), grid(['000', '000']))).toEqual({ intersection: 0, union: 0 });
  });

  it('counts the whole image for full prediction and full target', () => {
    expect(segmentationCounts(grid(['111', '111']), grid(['111', '111']))).toEqual({ intersection: 6, union: 6 });
  });

  it('removes ignore pixels from both prediction and target', () => {
    const prediction = grid(['1111', '1100']);
    const truth = grid(['xx10', '0110']);
    // Outside ignore: prediction at (2,0),(3,0),(0,1),(1,1); target at (2,0),(1,1),(2,1).
    // I = 2 [(2,0),(1,1)], U = 4 + 3 − 2 = 5.
    expect(segmentationCounts(prediction, truth)).toEqual({ intersection: 2, union: 5 });
  });

  it('treats any non-zero prediction value as foreground', () => {
    const prediction = grid(['0', '0']);
    prediction.data[0] = 255;
    prediction.data[1] = 7;
    expect(segmentationCounts(prediction, grid(['1', '0']))).toEqual({ intersection: 1, union: 2 });
  });

  it('handles a 1×1 image and odd sizes', () => {
    expect(segmentationCounts(grid(['1']), grid(['1']))).toEqual({ intersection: 1, union: 1 });
    expect(segmentationCounts(grid(['0']), grid(['x']))).toEqual({ intersection: 0, union: 0 });
    const prediction = grid(['10101', '01010', '11111']);
    const truth = grid(['11100', '000x0', '0x111']);
    // target: (0,0),(1,0),(2,0),(2,2),(3,2),(4,2) = 6; prediction outside ignore: 3 + 1 [(1,1); (3,1) is x] + 4 [(1,2) is x] = 8;
    // I = (0,0),(2,0),(2,2),(3,2),(4,2) = 5; U = 8 + 6 − 5 = 9.
    expect(segmentationCounts(prediction, truth)).toEqual({ intersection: 5, union: 9 });
  });

  it('rejects a prediction whose size differs from the ground truth', () => {
    let caught: unknown;
    try {
      segmentationCounts(grid(['11']), grid(['1', '1']));
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) ? caught.code : 'no MmevolveError').toBe('size-mismatch');
    expect(isMmevolveError(caught) ? caught.message : '').toContain('2×1');
  });
});

describe('imageIou', () => {
  it('is 1.0 when nothing is targeted and nothing predicted outside ignore', () => {
    expect(imageIou({ intersection: 0, union: 0 })).toBe(1);
  });

  it('is 0 when there is no target but something is predicted, or a target and nothing predicted', () => {
    expect(imageIou(segmentationCounts(grid(['10']), grid(['00'])))).toBe(0);
    expect(imageIou(segmentationCounts(grid(['00']), grid(['01'])))).toBe(0);
  });

  it('divides by the union plus 1e-5 like LISA', () => {
    expect(imageIou({ intersection: 6, union: 6 })).toBe(6 / (6 + 1e-5));
    expect(imageIou({ intersection: 2, union: 5 })).toBe(2 / (5 + 1e-5));
  });
});

describe('summarize', () => {
  it('averages per-image IoU for gIoU and pools counts for cIoU, per subset', () => {
    const samples = [
      { counts: { intersection: 2, union: 5 }, isSentence: false },
      { counts: { intersection: 0, union: 0 }, isSentence: false },
      { counts: { intersection: 9, union: 10 }, isSentence: true },
    ];
    const summary = summarize(samples);
    const [first, second, third] = [2 / (5 + 1e-5), 1, 9 / (10 + 1e-5)] as const;
    expect(summary.n).toBe(3);
    expect(summary.giou).toBeCloseTo((first + second + third) / 3, 12);
    expect(summary.ciou).toBe(11 / (15 + 1e-10));
    expect(summary.subsets.short).toEqual({ giou: (first + second) / 2, ciou: 2 / (5 + 1e-10), n: 2 });
    expect(summary.subsets.long).toEqual({ giou: third, ciou: 9 / (10 + 1e-10), n: 1 });
  });

  it('gives cIoU 0 when every union is empty while gIoU is 1', () => {
    const summary = summarize([{ counts: { intersection: 0, union: 0 }, isSentence: true }]);
    expect(summary.giou).toBe(1);
    expect(summary.ciou).toBe(0);
  });

  it('reports null scores for empty subsets instead of inventing a number', () => {
    const summary = summarize([]);
    expect(summary).toEqual({
      giou: null,
      ciou: null,
      n: 0,
      subsets: { short: { giou: null, ciou: null, n: 0 }, long: { giou: null, ciou: null, n: 0 } },
    });
  });
});
