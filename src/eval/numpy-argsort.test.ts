import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numpyArgsort } from './numpy-argsort.js';

// Orders returned by the real np.argsort of numpy 1.24.2 (scripts/fixtures/numpy-argsort.cjs --golden).
const golden = JSON.parse(
  readFileSync(new URL('./__fixtures__/numpy-argsort-golden.json', import.meta.url), 'utf8'),
) as { numpy: string; cases: Array<{ values: number[]; order: number[] }> };

describe('numpyArgsort', () => {
  it('returns the order numpy 1.24 returns on every golden array, ties included', () => {
    expect(golden.numpy).toMatch(/^1\.24\./);
    expect(golden.cases.length).toBeGreaterThan(100);
    const failures = golden.cases
      .filter((item) => numpyArgsort(item.values).join(',') !== item.order.join(','))
      .map((item) => `[${item.values.join(',')}]`);
    expect(failures, `arrays ordered unlike numpy:\n${failures.slice(0, 5).join('\n')}`).toEqual([]);
  });

  it('covers arrays long enough to leave the stable insertion sort and reach the heapsort fallback', () => {
    const lengths = golden.cases.map((item) => item.values.length);
    expect(Math.max(...lengths)).toBeGreaterThanOrEqual(257);
    expect(lengths.filter((length) => length > 16).length).toBeGreaterThan(50);
  });

  it('keeps equal values in input order up to 16 elements, so LISA\'s reversal puts the later one first', () => {
    expect(numpyArgsort([5, 3, 5, 3])).toEqual([1, 3, 0, 2]);
    expect(numpyArgsort(new Array<number>(16).fill(7))).toEqual([...Array(16).keys()]);
  });

  it('reorders ties once 17 equal values are partitioned, as numpy does', () => {
    // np.argsort(np.full(17, 7, dtype=np.uint64)) under numpy 1.24.2.
    expect(numpyArgsort(new Array<number>(17).fill(7))).toEqual([0, 14, 13, 12, 11, 10, 9, 15, 8, 6, 5, 4, 3, 2, 1, 7, 16]);
  });

  it('handles an empty and a one-element array', () => {
    expect(numpyArgsort([])).toEqual([]);
    expect(numpyArgsort([42])).toEqual([0]);
  });
});
