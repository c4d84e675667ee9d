import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { cosineSimilarity } from '../core/index.js';
import { lexicalTextEmbedding, perceptualImageEmbedding } from './offline-embedding.js';

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}

function solidImage(width: number, height: number, rgb: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index += 1) data.set(rgb, index * 3);
  return { width, height, data };
}

function stripes(width: number, height: number, vertical: boolean): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const on = Math.floor((vertical ? x : y) / 4) % 2 === 0;
      data.fill(on ? 230 : 20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { width, height, data };
}

describe('lexicalTextEmbedding', () => {
  it('returns a unit vector of the requested size, identical for identical text', () => {
    const first = lexicalTextEmbedding('the red car on the left', 128);
    expect(first).toHaveLength(128);
    expect(norm(first)).toBeCloseTo(1, 5);
    expect(Array.from(lexicalTextEmbedding('the red car on the left', 128))).toEqual(Array.from(first));
  });

  it('scores word overlap above unrelated text and ignores case and punctuation', () => {
    const query = lexicalTextEmbedding('red car parked on the left');
    const overlapping = lexicalTextEmbedding('the red car');
    const unrelated = lexicalTextEmbedding('a sleeping tabby kitten');
    expect(cosineSimilarity(query, overlapping)).toBeGreaterThan(cosineSimilarity(query, unrelated) + 0.2);
    expect(cosineSimilarity(lexicalTextEmbedding('Red CAR!'), lexicalTextEmbedding('red car'))).toBeCloseTo(1, 5);
  });

  it('gives the zero vector for text without words', () => {
    expect(norm(lexicalTextEmbedding('  !?  '))).toBe(0);
  });
});

describe('perceptualImageEmbedding', () => {
  it('returns a unit vector and tells colours apart', () => {
    const red = perceptualImageEmbedding(solidImage(32, 32, [220, 20, 20]));
    const darkerRed = perceptualImageEmbedding(solidImage(32, 32, [200, 30, 25]));
    const blue = perceptualImageEmbedding(solidImage(32, 32, [20, 20, 220]));
    expect(norm(red)).toBeCloseTo(1, 5);
    expect(red).toHaveLength(256);
    expect(cosineSimilarity(red, darkerRed)).toBeGreaterThan(cosineSimilarity(red, blue) + 0.5);
  });

  it('tells edge orientations apart for images with the same colours', () => {
    const vertical = perceptualImageEmbedding(stripes(48, 48, true));
    const verticalAgain = perceptualImageEmbedding(stripes(40, 40, true));
    const horizontal = perceptualImageEmbedding(stripes(48, 48, false));
    expect(cosineSimilarity(vertical, verticalAgain)).toBeGreaterThan(cosineSimilarity(vertical, horizontal));
  });

  it('rejects an image whose data length does not match its size', () => {
    expect(() => perceptualImageEmbedding({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(/data length/);
  });
});
