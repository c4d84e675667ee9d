import { describe, expect, it } from 'vitest';
import { encodeRleCounts } from '../../vision/index.js';
import { createRng } from '../world/index.js';
import { objectMask, objectRleCounts } from './masks.js';

function randomPixels(seed: number, width: number, height: number, density: number): number[] {
  const rng = createRng(seed);
  const pixels: number[] = [];
  for (let pixel = 0; pixel < width * height; pixel += 1) if (rng.chance(density)) pixels.push(pixel);
  return pixels;
}

describe('objectRleCounts', () => {
  it('equals encodeRleCounts of the object mask for random pixel sets, empty, full and edge-touching ones', () => {
    const cases: [number, number, number[]][] = [
      [7, 5, []],
      [7, 5, Array.from({ length: 35 }, (_, pixel) => pixel)],
      [7, 5, [0]],
      [7, 5, [34]],
      [4, 4, [3, 7, 11, 15]],
      [1, 6, [0, 1, 4]],
      [6, 1, [0, 2, 3, 5]],
    ];
    for (let seed = 1; seed <= 40; seed += 1) cases.push([3 + (seed % 9), 2 + (seed % 7), randomPixels(seed, 3 + (seed % 9), 2 + (seed % 7), (seed % 5) / 5)]);
    cases.push([640, 480, randomPixels(99, 640, 480, 0.02)]);
    for (const [width, height, pixels] of cases) {
      expect(objectRleCounts(width, height, Int32Array.from(pixels))).toEqual(encodeRleCounts(objectMask(width, height, pixels)));
    }
  });

  it('sorts and deduplicates pixels given out of order, as objectMask ignores their order', () => {
    const pixels = [9, 2, 2, 14, 0, 9];
    expect(objectRleCounts(5, 3, pixels)).toEqual(encodeRleCounts(objectMask(5, 3, pixels)));
  });
});
