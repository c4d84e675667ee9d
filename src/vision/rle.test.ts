import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMask, isMmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';
import {
  decodeRle,
  decodeRleInto,
  encodeRle,
  rleArea,
  rleBox,
  rleCountsFromString,
  rleCountsToString,
  rleFromCounts,
  rleIntersectionUnion,
  rleIou,
  rleMerge,
} from './rle.js';
import type { CocoRle } from './rle.js';

interface GoldenCase {
  height: number;
  width: number;
  counts: string;
  area: number;
  bbox: [number, number, number, number];
  rowRuns: number[];
}

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/rle-golden.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
  pairs: Array<{ a: number; b: number; merged: string; iou: number }>;
};

function maskFromRowRuns(width: number, height: number, runs: number[]): Mask {
  const mask = createMask(width, height);
  let position = 0;
  runs.forEach((length, index) => {
    if (index % 2 === 1) mask.data.fill(1, position, position + length);
    position += length;
  });
  return mask;
}

function maskFromRows(rows: string[]): Mask {
  const mask = createMask(rows[0]?.length ?? 0, rows.length);
  rows.forEach((row, y) => [...row].forEach((cell, x) => (mask.data[y * mask.width + x] = cell === '#' ? 1 : 0)));
  return mask;
}

function caseRle(index: number): CocoRle {
  const item = golden.cases[index];
  if (item === undefined) throw new Error(`fixture case ${index} missing`);
  return { size: [item.height, item.width], counts: item.counts };
}

function thrownCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isMmevolveError(error) ? error.code : `non-mmevolve error: ${String(error)}`;
  }
  return undefined;
}

describe('COCO RLE against pycocotools maskApi.c', () => {
  it('encodes every golden mask to the exact string pycocotools writes', () => {
    const wrong = golden.cases
      .map((item, index) => ({ index, item, got: encodeRle(maskFromRowRuns(item.width, item.height, item.rowRuns)).counts }))
      .filter(({ item, got }) => got !== item.counts)
      .map(({ index, item, got }) => `case ${index} ${item.height}x${item.width}: expected ${item.counts.slice(0, 40)} got ${got.slice(0, 40)}`);
    expect(wrong).toEqual([]);
  });

  it('decodes every golden string back to the original pixels', () => {
    for (const [index, item] of golden.cases.entries()) {
      const decoded = decodeRle(caseRle(index));
      const expected = maskFromRowRuns(item.width, item.height, item.rowRuns);
      expect([decoded.width, decoded.height], `case ${index} size`).toEqual([item.width, item.height]);
      expect(Buffer.from(decoded.data).equals(Buffer.from(expected.data)), `case ${index} pixels`).toBe(true);
    }
  });

  it('decodes every golden string into a reused, previously written buffer of its size', () => {
    const buffers = new Map<number, Uint8Array>();
    for (const [index, item] of golden.cases.entries()) {
      const pixels = item.width * item.height;
      const reused = buffers.get(pixels) ?? new Uint8Array(pixels).fill(1);
      buffers.set(pixels, reused);
      const decoded = decodeRleInto(caseRle(index), reused);
      const expected = maskFromRowRuns(item.width, item.height, item.rowRuns);
      expect([decoded.width, decoded.height], `case ${index} size`).toEqual([item.width, item.height]);
      expect(Buffer.from(reused).equals(Buffer.from(expected.data)), `case ${index} pixels`).toBe(true);
    }
  });

  it('computes area and box on runs as pycocotools area and toBbox do', () => {
    for (const [index, item] of golden.cases.entries()) {
      const rle = caseRle(index);
      expect(rleArea(rle), `case ${index} area`).toBe(item.area);
      const [x, y, width, height] = item.bbox;
      expect(rleBox(rle), `case ${index} box`).toEqual(item.area === 0 ? null : [x, y, x + width, y + height]);
    }
  });

  it('merges pairs to the same string and scores the same IoU as pycocotools', () => {
    expect(golden.pairs.length).toBeGreaterThan(100);
    for (const pair of golden.pairs) {
      const a = caseRle(pair.a);
      const b = caseRle(pair.b);
      expect(rleMerge([a, b]).counts, `merge of ${pair.a} and ${pair.b}`).toBe(pair.merged);
      expect(rleIou(a, b), `iou of ${pair.a} and ${pair.b}`).toBeCloseTo(pair.iou, 12);
    }
  });
});

describe('COCO RLE by hand', () => {
  it('writes "04" for a full 2x2 mask and "4" for an empty one', () => {
    expect(encodeRle(maskFromRows(['##', '##']))).toEqual({ size: [2, 2], counts: '04' });
    expect(encodeRle(maskFromRows(['..', '..']))).toEqual({ size: [2, 2], counts: '4' });
  });

  it('orders pixels column by column, starting with a run of zeros', () => {
    // Column-major pixels of [[0,1],[1,1]] are 0,1,1,1 → counts [1, 3].
    expect(rleCountsFromString(encodeRle(maskFromRows(['.#', '##'])).counts)).toEqual([1, 3]);
    // [[1,0],[0,0]] → 1,0,0,0 → counts [0, 1, 3].
    expect(rleCountsFromString(encodeRle(maskFromRows(['#.', '..'])).counts)).toEqual([0, 1, 3]);
  });

  it('handles a 1x1 mask and a 0x0 mask', () => {
    expect(encodeRle(maskFromRows(['#'])).counts).toBe('01');
    expect(encodeRle(maskFromRows(['.'])).counts).toBe('1');
    expect(encodeRle(createMask(0, 0))).toEqual({ size: [0, 0], counts: '0' });
    expect(decodeRle({ size: [0, 0], counts: '0' }).data.length).toBe(0);
  });

  it('writes long runs in several 5-bit chunks and negative deltas with a sign bit', () => {
    // 1000 = 0b11111_01000: chunk 8 with continue (0x28 + 48 = 'X'), then 31 → 0x1f has the sign bit,
    // so another chunk 0 follows ('o' then '0'): "Xo0".
    expect(rleCountsToString([1000])).toBe('Xo0');
    // counts [5, 3, 2, 1]: from the fourth on, deltas are written: 1 - 3 = -2 → 0x1e (sign bit set,
    // nothing more) → 'N'.
    expect(rleCountsToString([5, 3, 2, 1])).toBe('532N');
    expect(rleCountsFromString('532N')).toEqual([5, 3, 2, 1]);
    const counts = [123456, 7, 99999, 65536, 1, 2, 3, 1_000_000];
    expect(rleCountsFromString(rleCountsToString(counts))).toEqual(counts);
  });

  it('round-trips odd-sized masks through the string form', () => {
    const mask = maskFromRows(['#..#.', '.##..', '#...#']);
    const rle = encodeRle(mask);
    expect(rle.size).toEqual([3, 5]);
    expect(Array.from(decodeRle(rle).data)).toEqual(Array.from(mask.data));
  });

  it('treats any non-zero pixel as foreground when encoding', () => {
    const mask = maskFromRows(['#.', '.#']);
    mask.data[0] = 255;
    mask.data[3] = 7;
    expect(encodeRle(mask).counts).toBe(encodeRle(maskFromRows(['#.', '.#'])).counts);
  });

  it('boxes a run that wraps from one column into the next over every row', () => {
    // 3 rows x 2 columns, column-major pixels 0,0,1,1,0,0: the run crosses the column boundary.
    const rle = rleFromCounts([2, 2, 2], 3, 2);
    expect(rleBox(rle)).toEqual([0, 0, 2, 3]);
    expect(rleBox({ size: [3, 2], counts: '6' })).toBeNull();
  });

  it('counts intersection and union and returns IoU 0 for two empty masks', () => {
    const a = encodeRle(maskFromRows(['##.', '##.']));
    const b = encodeRle(maskFromRows(['.##', '.##']));
    expect(rleIntersectionUnion(a, b)).toEqual({ intersection: 2, union: 6 });
    expect(rleIou(a, b)).toBeCloseTo(2 / 6, 15);
    const empty = encodeRle(createMask(3, 2));
    expect(rleIou(empty, empty)).toBe(0);
  });

  it('merges several masks with OR and keeps a single mask unchanged', () => {
    const parts = [['#..', '...'], ['...', '..#'], ['.#.', '...']].map((rows) => encodeRle(maskFromRows(rows)));
    expect(Array.from(decodeRle(rleMerge(parts)).data)).toEqual([1, 1, 0, 0, 0, 1]);
    const single = { size: [2, 3] as [number, number], counts: '0006' };
    expect(rleMerge([single])).toEqual(single);
  });

  it('rejects malformed strings, wrong totals and mismatched sizes with typed errors', () => {
    expect(thrownCode(() => decodeRle({ size: [2, 2], counts: '5' }))).toBe('invalid-rle');
    expect(thrownCode(() => decodeRle({ size: [2, 2], counts: '0 4' }))).toBe('invalid-rle');
    expect(thrownCode(() => decodeRle({ size: [2, 2], counts: 'X' }))).toBe('invalid-rle');
    expect(thrownCode(() => decodeRle({ size: [2, 2], counts: 'p' }))).toBe('invalid-rle');
    expect(thrownCode(() => rleCountsFromString('100M'))).toBe('invalid-rle');
    const a = encodeRle(createMask(2, 3));
    const b = encodeRle(createMask(3, 2));
    expect(thrownCode(() => rleIou(a, b))).toBe('size-mismatch');
    expect(thrownCode(() => rleMerge([a, b]))).toBe('size-mismatch');
    expect(thrownCode(() => rleMerge([]))).toBe('invalid-input');
  });

  it('encodes masks whose bytes are not word-aligned the same as aligned copies', () => {
    const width = 8;
    const height = 5;
    const backing = new Uint8Array(width * height + 1);
    for (let index = 1; index < backing.length; index += 1) backing[index] = (index * 7) % 3 === 0 ? 1 : 0;
    const unaligned: Mask = { width, height, data: backing.subarray(1) };
    const aligned: Mask = { width, height, data: Uint8Array.from(unaligned.data) };
    expect(encodeRle(unaligned)).toEqual(encodeRle(aligned));
  });

  it('reads non-canonical counts with empty runs in the middle', () => {
    // [1, 0, 2, 1]: a zero-length run of ones between zeros, then one foreground pixel (the last).
    const rle = rleFromCounts([1, 0, 2, 1], 2, 2);
    expect(Array.from(decodeRle(rle).data)).toEqual([0, 0, 0, 1]);
    expect(rleArea(rle)).toBe(1);
    expect(rleBox(rle)).toEqual([1, 1, 2, 2]);
    expect(rleIntersectionUnion(rle, encodeRle(maskFromRows(['..', '.#'])))).toEqual({ intersection: 1, union: 1 });
    expect(rleMerge([rle, encodeRle(createMask(2, 2))]).counts).toBe(encodeRle(maskFromRows(['..', '.#'])).counts);
  });
});
