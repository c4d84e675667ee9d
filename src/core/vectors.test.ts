import { describe, expect, it } from 'vitest';
import { cosineOfCommonPrefix, cosineSimilarity } from './vectors.js';

describe('cosine similarity', () => {
  it('computes the cosine of equal-length vectors and refuses different lengths', () => {
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([1, 1]))).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cosineSimilarity(Float32Array.from([0, 0]), Float32Array.from([1, 1])), 'zero vector').toBe(0);
    expect(() => cosineSimilarity(Float32Array.from([1]), Float32Array.from([1, 0]))).toThrow(/lengths differ/);
  });

  it('compares only the common prefix when lengths differ', () => {
    expect(cosineOfCommonPrefix(Float32Array.from([1, 0]), Float32Array.from([1, 1, 5]))).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cosineOfCommonPrefix(Float32Array.from([3, 4]), Float32Array.from([3, 4]))).toBe(cosineSimilarity(Float32Array.from([3, 4]), Float32Array.from([3, 4])));
  });
});
