/**
 * Paired bootstrap confidence interval for the difference of two methods on the same samples: resample
 * sample indices with replacement (seeded, so the interval is reproducible), take the mean per-sample
 * difference (B − A) of each resample, and report the percentile interval (numpy's default linear
 * interpolation between order statistics).
 */
import { seededRandom } from '../core/index.js';

export interface BootstrapOptions {
  /** Default 10,000. */
  resamples?: number;
  /** Default 0.95. */
  confidence?: number;
  /** Default 1. */
  seed?: number;
}

export interface BootstrapInterval {
  n: number;
  meanA: number;
  meanB: number;
  /** mean(B) − mean(A) on the paired samples. */
  difference: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  seed: number;
  /** The interval lies entirely above or below zero. */
  excludesZero: boolean;
}

/** numpy.percentile's default ("linear"): interpolate between the order statistics around q·(n − 1). */
export function linearQuantile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[above] ?? Number.NaN;
  return lower + (upper - lower) * (position - below);
}

export function pairedBootstrap(valuesA: readonly number[], valuesB: readonly number[], options: BootstrapOptions = {}): BootstrapInterval {
  if (valuesA.length !== valuesB.length) throw new RangeError(`paired bootstrap needs equal lengths, got ${valuesA.length} and ${valuesB.length}`);
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  const n = valuesA.length;
  const differences = valuesA.map((value, index) => (valuesB[index] ?? 0) - value);
  const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length);
  if (n === 0) {
    return { n, meanA: Number.NaN, meanB: Number.NaN, difference: Number.NaN, low: Number.NaN, high: Number.NaN, confidence, resamples, seed, excludesZero: false };
  }
  const random = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample += 1) {
    let sum = 0;
    for (let draw = 0; draw < n; draw += 1) sum += differences[Math.floor(random() * n)] ?? 0;
    means[resample] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const tail = (1 - confidence) / 2;
  const low = linearQuantile(sorted, tail);
  const high = linearQuantile(sorted, 1 - tail);
  return { n, meanA: mean(valuesA), meanB: mean(valuesB), difference: mean(differences), low, high, confidence, resamples, seed, excludesZero: low > 0 || high < 0 };
}
