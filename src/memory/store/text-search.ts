/**
 * Nearest text vectors of one (tenant, stream) partition. Small partitions: sqlite-vec's exact KNN over the
 * unit vectors. Large ones (issue 7: top-k under 20 ms at 100,000 lessons, where the exact float scan alone
 * took ~19 ms): candidates by Hamming distance of sign bits (bit-scan.ts), then the exact L2 distance of each,
 * computed from the same stored unit vector by the same sqlite-vec kernel, so a returned lesson's distance
 * (and score) is the one the exact search gives.
 */
import { mmevolveError } from '../../core/index.js';
import type { LessonStream } from '../../core/index.js';
import { nearestByHamming } from './bit-scan.js';
import type { BitChunkRow } from './bit-scan.js';
import { streamCode } from './lesson-rows.js';
import type { Statements } from './statements.js';
import { signBits, unitVector, vectorToBlob } from './vector-codec.js';

export interface TextSearchOptions {
  /** Partitions with more text vector slots than this use the two-stage search (Infinity: always exact). */
  twoStageAbove: number;
  /** Candidates taken by sign-bit distance per wanted lesson, before exact rescoring. */
  oversample: number;
  /** Fewest candidates taken, whatever k. */
  minCandidates: number;
}

/**
 * 20,000: there the exact top-10 took 3.9 ms and the two-stage 1.6 ms (bench/memory-store.bench.ts, 256
 * dims): exactness is kept where it costs little. At 100,000: 19.7 ms exact, 5.3 ms two-stage.
 * 32 × k, at least 200: recall@10 of 320 candidates was 100% on the bench's clustered set.
 */
export const DEFAULT_TEXT_SEARCH: TextSearchOptions = { twoStageAbove: 20_000, oversample: 32, minCandidates: 200 };

/**
 * Rescoring a candidate (a vec0 point lookup, ~4 µs) cost ~20× scanning one vector exactly (~0.2 µs):
 * beyond 1/20 of the partition, candidates cost more than the exact scan they replace.
 */
const MAX_CANDIDATE_SHARE = 20;

export type TextSearchMethod = 'exact' | 'two-stage';

export interface TextHit {
  rowid: number;
  distance: number;
}

export function textSearchMethod(partitionSize: number, k: number, options: TextSearchOptions): TextSearchMethod {
  if (partitionSize <= options.twoStageAbove) return 'exact';
  return candidateCount(k, options) * MAX_CANDIDATE_SHARE <= partitionSize ? 'two-stage' : 'exact';
}

/** The k nearest unit vectors of the partition to the query's unit copy, nearest first, as exact search orders them. */
export function nearestTexts(statements: Statements, options: TextSearchOptions, tenant: string, stream: LessonStream, vector: Float32Array, k: number): TextHit[] {
  const code = streamCode(stream);
  const query = vectorToBlob(unitVector(vector));
  // Chunk slots, not rows: what a scan of the partition visits, read from ~1 row per 1,024 vectors.
  const { slots } = statements.textBitSlots.get(tenant, code) as { slots: number };
  if (textSearchMethod(slots, k, options) === 'exact') {
    return statements.knnText.all(query, BigInt(k), tenant, code) as TextHit[];
  }
  const chunks = statements.textBitChunks.all(tenant, code) as BitChunkRow[];
  const candidates = nearestByHamming(chunks, signBits(vector), candidateCount(k, options));
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
