/**
 * Nearest text vectors of one (tenant, stream) partition. Small partitions: sqlite-vec's exact KNN over the
 * unit vectors. Large ones: candidates from the partition's HNSW graph (hnsw-text-index.ts), then the exact
 * L2 distance of each, computed from the same stored unit vector by the same sqlite-vec kernel, so a
 * returned lesson's distance (and score) is the one the exact search gives.
 */
import { mmevolveError } from '../../core/index.js';
import type { LessonStream } from '../../core/index.js';
import { streamCode } from './lesson-rows.js';
import type { TenantContext } from './lesson-writes.js';
import { unitVector, vectorToBlob } from './vector-codec.js';

export interface TextSearchOptions {
  /** Partitions with more lessons than this use the two-stage search (Infinity: always exact). */
  twoStageAbove: number;
  /** Candidates taken from the HNSW graph per wanted lesson, before exact rescoring. */
  oversample: number;
  /** Fewest candidates taken, whatever k. */
  minCandidates: number;
}

/**
 * 20,000: there the exact top-10 took 3.9 ms (bench/memory-store.bench.ts, 256 dims): exactness is kept
 * where it costs little. 4 × k candidates, at least 40, searched with ef ≥ 64 (bench: recall@10 is
 * measured and printed beside the timings).
 */
export const DEFAULT_TEXT_SEARCH: TextSearchOptions = { twoStageAbove: 20_000, oversample: 4, minCandidates: 40 };

export type TextSearchMethod = 'exact' | 'two-stage';

export interface TextHit {
  rowid: number;
  distance: number;
}

export function textSearchMethod(partitionSize: number, k: number, options: TextSearchOptions): TextSearchMethod {
  if (partitionSize <= options.twoStageAbove) return 'exact';
  // Rescoring a candidate (a vec0 point lookup) costs ~20× scanning one vector: past 1/20 of the
  // partition, candidates cost more than the exact scan they replace.
  return candidateCount(k, options) * 20 <= partitionSize ? 'two-stage' : 'exact';
}

/** The k nearest unit vectors of the partition to the query's unit copy, nearest first, as exact search orders them. */
export function nearestTexts(context: TenantContext, stream: LessonStream, vector: Float32Array, k: number): TextHit[] {
  const { statements, textSearch, textIndex, tenant } = context;
  const code = streamCode(stream);
  const unit = unitVector(vector);
  const query = vectorToBlob(unit);
  const partition = textIndex.partition(tenant, stream);
  const size = partition.size;
  if (textSearchMethod(size, k, textSearch) === 'exact') {
    return statements.knnText.all(query, BigInt(k), tenant, code) as TextHit[];
  }
  const candidates = textIndex.candidates(tenant, stream, partition, unit, Math.min(candidateCount(k, textSearch), size));
  return statements.rescoreText.all(query, JSON.stringify(candidates), k) as TextHit[];
}

/** Fills defaults and refuses values that would make the search wrong or pointless. */
export function resolveTextSearch(given: Partial<TextSearchOptions> = {}): TextSearchOptions {
  const options = { ...DEFAULT_TEXT_SEARCH, ...given };
  const checks: [keyof TextSearchOptions, boolean][] = [
    ['twoStageAbove', options.twoStageAbove === Number.POSITIVE_INFINITY || (Number.isInteger(options.twoStageAbove) && options.twoStageAbove >= 0)],
    ['oversample', Number.isInteger(options.oversample) && options.oversample >= 1],
    ['minCandidates', Number.isInteger(options.minCandidates) && options.minCandidates >= 1],
  ];
  for (const [name, valid] of checks) {
    if (!valid) {
      const wanted = name === 'twoStageAbove' ? 'a non-negative integer or Infinity' : 'a positive integer';
      throw mmevolveError('invalid-input', `text search option ${name} must be ${wanted}, got ${String(options[name])}`, `omit it for the default ${DEFAULT_TEXT_SEARCH[name]}`);
    }
  }
  return options;
}

function candidateCount(k: number, options: TextSearchOptions): number {
  return Math.max(options.minCandidates, k * options.oversample);
}
