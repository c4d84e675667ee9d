import { describe, expect, it } from 'vitest';
import { createMask, isMmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';
import { decodeRleCounts } from './rle-decode.js';
import { decodeRle, decodeRleInto, encodeRle, rleArea, rleCounts, rleFromCounts, rleIntersectionUnion } from './rle.js';
import type { CocoRle } from './rle.js';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Sizes that stress column wrap-around: single rows and columns, odd and non-word-aligned widths. */
const SIZES: Array<[width: number, height: number]> = [[1, 1], [1, 9], [9, 1], [2, 2], [3, 7], [7, 3], [13, 17], [32, 5], [64, 48], [33, 65]];

/** Either a few rectangles (long runs crossing columns) or independent noise (short runs). */
function randomMask(random: () => number, width: number, height: number): Mask {
  const mask = createMask(width, height);
  if (random() < 0.5) {
    for (let box = Math.floor(random() * 4); box > 0; box -= 1) {
      const x0 = Math.floor(random() * width);
      const y0 = Math.floor(random() * height);
      const x1 = x0 + Math.floor(random() * (width - x0 + 1));
      const y1 = y0 + Math.floor(random() * (height - y0 + 1));
      for (let y = y0; y < y1; y += 1) mask.data.fill(1, y * width + x0, y * width + x1);
    }
  } else {
    const density = random();
    for (let index = 0; index < mask.data.length; index += 1) mask.data[index] = random() < density ? 1 : 0;
  }
  return mask;
}

/** The straightforward decoder: walk the runs and set every pixel in column-major order. */
function perPixelDecode(rle: CocoRle): Uint8Array {
  const [height, width] = rle.size;
  const data = new Uint8Array(width * height);
  let position = 0;
  rleCounts(rle).forEach((count, index) => {
    for (let offset = 0; offset < count; offset += 1) {
      const columnMajor = position + offset;
      const x = Math.floor(columnMajor / height);
      data[(columnMajor - x * height) * width + x] = index % 2;
    }
    position += count;
  });
  return data;
}

/** The same runs with empty runs inserted here and there (non-canonical, still valid). */
function withEmptyRuns(rle: CocoRle, random: () => number): CocoRle {
  const counts = rleCounts(rle).flatMap((count) => (random() < 0.2 ? [count, 0, 0] : [count]));
  return rleFromCounts(counts, rle.size[0], rle.size[1]);
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isMmevolveError(error) ? error.code : `non-mmevolve error: ${String(error)}`;
  }
  return undefined;
}

describe('COCO RLE on random masks against per-pixel implementations', () => {
  it('decodes random masks, fresh and into a reused dirty buffer, exactly as a per-pixel decoder', () => {
    const random = seededRandom(3);
    for (const [width, height] of SIZES) {
      const reused = new Uint8Array(width * height).fill(7);
      for (let trial = 0; trial < 30; trial += 1) {
        const mask = randomMask(random, width, height);
        for (const rle of [encodeRle(mask), withEmptyRuns(encodeRle(mask), random)]) {
          const where = `${width}x${height} trial ${trial} counts ${rle.counts}`;
          expect(Array.from(perPixelDecode(rle)), `per-pixel reference ${where}`).toEqual(Array.from(mask.data));
          expect(Array.from(decodeRle(rle).data), `decodeRle ${where}`).toEqual(Array.from(mask.data));
          const into = decodeRleInto(rle, reused);
          expect(into.data, `decodeRleInto returns the caller's buffer ${where}`).toBe(reused);
          expect(Array.from(reused), `decodeRleInto ${where}`).toEqual(Array.from(mask.data));
          const counts = rleCounts(rle);
          expect(Array.from(decodeRleCounts(counts, width, height).data), `decodeRleCounts ${where}`).toEqual(Array.from(mask.data));
        }
      }
    }
  });

  it('computes area, intersection and union of random masks equal to pixel counts', () => {
    const random = seededRandom(5);
    for (const [width, height] of SIZES) {
      for (let trial = 0; trial < 30; trial += 1) {
        const a = randomMask(random, width, height);
        const b = randomMask(random, width, height);
        const rleA = random() < 0.5 ? encodeRle(a) : withEmptyRuns(encodeRle(a), random);
        const rleB = encodeRle(b);
        let area = 0;
        let intersection = 0;
        let union = 0;
        for (let index = 0; index < a.data.length; index += 1) {
          area += a.data[index] as number;
          intersection += (a.data[index] as number) & (b.data[index] as number);
          union += (a.data[index] as number) | (b.data[index] as number);
        }
        const where = `${width}x${height} trial ${trial}`;
        expect(rleArea(rleA), `area ${where}`).toBe(area);
        expect(rleIntersectionUnion(rleA, rleB), `intersection/union ${where}`).toEqual({ intersection, union });
      }
    }
  });

  it('rejects an output buffer of the wrong size and counts that do not cover the mask', () => {
    const rle = encodeRle(createMask(4, 3));
    expect(codeOf(() => decodeRleInto(rle, new Uint8Array(11)))).toBe('invalid-input');
    expect(codeOf(() => decodeRleInto({ size: [3, 4], counts: ';' }, new Uint8Array(12)))).toBe('invalid-rle');
    expect(codeOf(() => rleArea({ size: [3, 4], counts: '=' }))).toBe('invalid-rle');
    expect(codeOf(() => decodeRleCounts([5, -1, 8], 4, 3))).toBe('invalid-rle');
    expect(codeOf(() => decodeRleCounts([5, 6], 4, 3))).toBe('invalid-rle');
  });
});
