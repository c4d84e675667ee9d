/**
 * Nearest lessons of one (tenant, stream) partition on pgvector, with the SQLite store's rule
 * (text-search.ts): small partitions are scanned exactly; large ones take HNSW candidates (cosine,
 * iterative scan so other tenants' rows do not starve the filter) and rank them by their exact distance.
 * Scores are cosine similarities, 1 − pgvector's cosine distance.
 */
import type { LessonStream } from '../../../core/index.js';
import { MAX_K } from '../input-checks.js';
import { textSearchMethod } from '../text-search.js';
import type { TextSearchOptions } from '../text-search.js';
import { inTransaction } from './pg-connection.js';
import type { PgTenantContext } from './pg-lesson-writes.js';
import { toPgVector } from './pg-vector.js';

export interface PgHit {
  lessonRowid: number;
  score: number;
}

export async function nearestTexts(context: PgTenantContext, stream: LessonStream, vector: Float32Array, k: number): Promise<PgHit[]> {
  const { pool, sql, tenant, textSearch } = context;
  const query = toPgVector(vector);
  const size = await partitionSize(context, stream);
  if (textSearchMethod(size, k, textSearch) === 'exact') {
    const { rows } = await pool.query<{ rowid: number; distance: number }>(sql.exactText, [tenant, stream, query, k]);
    return rows.map((row) => ({ lessonRowid: row.rowid, score: 1 - row.distance }));
  }
  const candidates = Math.min(candidateCount(k, textSearch), size);
  const rows = await withHnswSearch(context, candidates, (client) => client.query<{ rowid: number; distance: number }>(sql.candidateText, [tenant, stream, query, candidates, k]));
  return rows.rows.map((row) => ({ lessonRowid: row.rowid, score: 1 - row.distance }));
}

/** Visual lessons by their best source image; each lesson once. */
export async function nearestImages(context: PgTenantContext, vector: Float32Array, k: number): Promise<PgHit[]> {
  const { pool, sql, tenant, textSearch } = context;
  const query = toPgVector(vector);
  const size = await partitionSize(context, 'image');
  if (textSearchMethod(size, k, textSearch) === 'two-stage') {
    // A lesson may own several images: ask for more images than lessons, and fall back to the exact scan when short.
    const candidates = Math.min(MAX_K, candidateCount(k, textSearch) * 4);
    const { rows } = await withHnswSearch(context, candidates, (client) =>
      client.query<{ lesson_rowid: number; distance: number }>(sql.candidateImages, [tenant, query, candidates, k]),
    );
    if (rows.length >= k) return rows.map((row) => ({ lessonRowid: row.lesson_rowid, score: 1 - row.distance }));
  }
  const { rows } = await pool.query<{ lesson_rowid: number; distance: number }>(sql.exactImages, [tenant, query, k]);
  return rows.map((row) => ({ lessonRowid: row.lesson_rowid, score: 1 - row.distance }));
}

async function partitionSize(context: PgTenantContext, part: LessonStream | 'image'): Promise<number> {
  const { rows } = await context.pool.query<{ size: number }>(context.sql.partitionSize, [context.tenant, part]);
  return rows[0]?.size ?? 0;
}

/** ef_search twice the candidates wanted, at least 100 (pgvector returns at most ef_search rows per scan round; more is better recall). */
function withHnswSearch<T>(context: PgTenantContext, candidates: number, search: Parameters<typeof inTransaction<T>>[1]): Promise<T> {
  return inTransaction(context.pool, async (client) => {
    await client.query(`select set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true)`, [String(Math.min(1000, Math.max(100, candidates * 2)))]);
    return search(client);
  });
}

function candidateCount(k: number, options: TextSearchOptions): number {
  return Math.max(options.minCandidates, k * options.oversample);
}
