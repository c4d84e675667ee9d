import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/index.js';
import { linearQuantile, pairedBootstrap } from './bootstrap.js';

describe('paired bootstrap', () => {
  it('gives a zero-width interval at the difference when every pair differs by the same amount', () => {
    const a = [0.1, 0.4, 0.7, 0.2, 0.9];
    const b = a.map((value) => value + 0.25);
    const interval = pairedBootstrap(a, b);
    expect(interval.difference).toBeCloseTo(0.25, 12);
    expect(interval.low).toBeCloseTo(0.25, 12);
    expect(interval.high).toBeCloseTo(0.25, 12);
    expect(interval.excludesZero).toBe(true);
  });

  it('spans the exact resampling distribution of two pairs (means 0, ½, 1 with chances ¼, ½, ¼)', () => {
    const interval = pairedBootstrap([0, 0], [0, 1]);
    // 2.5% and 97.5% of that distribution fall on its extremes.
    expect(interval.low).toBe(0);
    expect(interval.high).toBe(1);
    expect(interval.excludesZero).toBe(false);
  });

  it('matches the normal-theory interval mean ± 1.96·sd/√n on a large sample with a known shift', () => {
    const random = seededRandom(99);
    const n = 2000;
    const a = Array.from({ length: n }, () => random());
    // Differences uniform on [0, 0.2]: mean 0.1, sd 0.2/√12.
    const b = a.map((value) => value + random() * 0.2);
    const interval = pairedBootstrap(a, b, { seed: 7 });
    const halfWidth = (1.96 * (0.2 / Math.sqrt(12))) / Math.sqrt(n);
    expect(interval.difference).toBeCloseTo(0.1, 2);
    expect(interval.high - interval.low).toBeCloseTo(2 * halfWidth, 3);
    expect(interval.low).toBeLessThan(interval.difference);
    expect(interval.high).toBeGreaterThan(interval.difference);
    expect(interval.excludesZero).toBe(true);
  });

  it('is reproducible for a seed and changes with it', () => {
    const random = seededRandom(5);
    const a = Array.from({ length: 60 }, () => random());
    const b = Array.from({ length: 60 }, () => random());
    expect(pairedBootstrap(a, b, { seed: 3 })).toEqual(pairedBootstrap(a, b, { seed: 3 }));
    expect(pairedBootstrap(a, b, { seed: 3 }).low).not.toBe(pairedBootstrap(a, b, { seed: 4 }).low);
    expect(pairedBootstrap(a, b).resamples).toBe(10_000);
  });

  it('interpolates quantiles like numpy.percentile', () => {
    // numpy.percentile([1, 2, 3, 4], 25) == 1.75; 97.5 → 3.925
    expect(linearQuantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(linearQuantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
  });

  it('refuses unpaired inputs', () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(RangeError);
  });
});
