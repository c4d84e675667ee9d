import { describe, expect, it } from 'vitest';
import { decodeRle as decodeRleInNode, encodeRle } from '../vision/index.js';
import { countsFromString, decodeRle, maskArea } from './rle.js';

function randomMask(width: number, height: number, seed: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height);
  let state = seed;
  for (let index = 0; index < data.length; index += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    // Blocky masks give long runs (multi-chunk deltas, negative deltas) as well as single pixels.
    data[index] = (Math.floor(index / 7) + (state >> 16)) % 3 === 0 ? 1 : 0;
  }
  return { width, height, data };
}

describe('browser COCO RLE decoding', () => {
  it('decodes what the vision module encodes, pixel for pixel', () => {
    for (const [width, height, seed] of [[1, 1, 1], [37, 23, 2], [200, 3, 3], [64, 64, 4]] as const) {
      const mask = randomMask(width, height, seed);
      const rle = encodeRle(mask);
      const decoded = decodeRle(rle);
      expect([decoded.width, decoded.height], `size of ${width}x${height}`).toEqual([width, height]);
      expect(Array.from(decoded.data), `pixels of ${width}x${height}`).toEqual(Array.from(mask.data));
      expect(maskArea(rle)).toBe(mask.data.reduce((sum, value) => sum + value, 0));
      expect(Array.from(decodeRleInNode(rle).data)).toEqual(Array.from(decoded.data));
    }
  });

  it('reads large counts that need several chunks', () => {
    const mask = { width: 3000, height: 1000, data: new Uint8Array(3_000_000) };
    mask.data.fill(1, 1_500_000);
    const counts = countsFromString(encodeRle(mask).counts);
    expect(counts.reduce((sum, value) => sum + value, 0)).toBe(3_000_000);
  });
});
