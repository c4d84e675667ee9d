import { describe, expect, it } from 'vitest';
import { fnv1a, seededRandom } from './random.js';

describe('seeded randomness', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const other = seededRandom(43);
    const streamA = Array.from({ length: 16 }, () => first());
    const streamB = Array.from({ length: 16 }, () => second());
    const streamC = Array.from({ length: 16 }, () => other());
    expect(streamA).toEqual(streamB);
    expect(streamA).not.toEqual(streamC);
  });

  it('stays in [0, 1)', () => {
    const random = seededRandom(7);
    for (let index = 0; index < 10_000; index += 1) {
      const value = random();
      expect(value, `draw ${index} out of range`).toBeGreaterThanOrEqual(0);
      expect(value, `draw ${index} out of range`).toBeLessThan(1);
    }
  });

  it('hashes the empty string to the FNV-1a offset basis and "a" to its published value', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    // FNV-1a 32-bit test vector: "a" → 0xe40c292c.
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('a', 1)).not.toBe(fnv1a('a'));
  });
});
