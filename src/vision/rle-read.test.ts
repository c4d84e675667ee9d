import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { RleCountsBuffer, countsIntersectionUnion, readRleArea, readRleCounts } from './rle-read.js';
import { rleCountsFromString, rleCountsToString } from './rle-string.js';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Counts of every size class: single characters, a few chunks, and deltas beyond ±2^29 (seven chunks). */
function randomCounts(random: () => number, length: number): number[] {
  const scales = [16, 1024, 1 << 20, 1 << 29, 2 ** 31 - 1];
  return Array.from({ length }, () => {
    const scale = scales[Math.floor(random() * scales.length)] as number;
    return Math.min(2 ** 31 - 1, Math.floor(random() * scale));
  });
}

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return isMmevolveError(error) ? `${error.code}: ${error.message}` : `non-mmevolve error: ${String(error)}`;
  }
  return 'no error';
}

describe('fast COCO counts readers', () => {
  it('read the same counts and total as the careful parser for random counts of every chunk length', () => {
    const random = seededRandom(7);
    const buffer = new RleCountsBuffer(4);
    for (let trial = 0; trial < 300; trial += 1) {
      const counts = randomCounts(random, Math.floor(random() * 40));
      const text = rleCountsToString(counts);
      const read = readRleCounts(text, buffer);
      expect(Array.from(read.counts.subarray(0, read.length)), `counts of ${text}`).toEqual(rleCountsFromString(text));
      expect(read.total, `total of ${text}`).toBe(counts.reduce((sum, count) => sum + count, 0));
      const odd = counts.reduce((sum, count, index) => sum + (index % 2 === 1 ? count : 0), 0);
      expect(read.area, `area kept with the counts of ${text}`).toBe(odd);
      expect(readRleArea(text), `area of ${text}`).toEqual({ area: odd, total: read.total });
    }
  });

  it('read an empty string as no counts', () => {
    expect(readRleCounts('', new RleCountsBuffer()).length).toBe(0);
    expect(readRleArea('')).toEqual({ area: 0, total: 0 });
  });

  it('reject every malformed string with the careful parser\'s own message', () => {
    // Cut off inside a count, characters outside '0'..'o', a negative run, a run beyond 2^31 − 1
    // (a delta added to the count two back), and a cut-off seven-chunk count.
    // ':' is a delta of 10 on top of the count two back, 2^31 − 1.
    const malformed = ['X', '1X', '0 4', '1p', '12/', '100M', `${rleCountsToString([5, 2 ** 31 - 1, 5])}:`, 'ooooooo'];
    for (const text of malformed) {
      const careful = errorOf(() => rleCountsFromString(text));
      expect(careful, `careful parser accepted ${text}`).toMatch(/^invalid-rle: /);
      expect(errorOf(() => readRleCounts(text, new RleCountsBuffer())), `counts of ${text}`).toBe(careful);
      expect(errorOf(() => readRleArea(text)), `area of ${text}`).toBe(careful);
    }
  });

  it('walk two count lists to the intersection and union a pixel-by-pixel count gives', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 200; trial += 1) {
      const pixels = 1 + Math.floor(random() * 60);
      const masks = [0, 1].map(() => Array.from({ length: pixels }, () => (random() < 0.4 ? 1 : 0)));
      const [a, b] = masks.map((mask) => {
        // Runs with an occasional empty run inserted, as non-canonical writers produce.
        const counts: number[] = [];
        let value = 0;
        let run = 0;
        for (const pixel of mask) {
          if (pixel !== value) {
            counts.push(run);
            if (random() < 0.1) counts.push(0, 0);
            run = 0;
            value = pixel;
          }
          run += 1;
        }
        counts.push(run);
        return readRleCounts(rleCountsToString(counts), new RleCountsBuffer());
      }) as [RleCountsBuffer, RleCountsBuffer];
      const [maskA, maskB] = masks as [number[], number[]];
      const intersection = maskA.filter((pixel, index) => pixel === 1 && maskB[index] === 1).length;
      const union = maskA.filter((pixel, index) => pixel === 1 || maskB[index] === 1).length;
      expect(countsIntersectionUnion(a, b), `trial ${trial}`).toEqual({ intersection, union });
    }
  });
});
