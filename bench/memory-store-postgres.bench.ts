/**
 * Top-10 lesson search on pgvector (the Postgres store, reached over the wire protocol) against the SQLite
 * store, same lessons and queries, one run: p50 latency of each, their ratio, and recall@10 of each against
 * an exact brute-force cosine scan in JS. The Postgres here is PGlite (Postgres 18 compiled to WASM, with
 * pgvector 0.8) behind pglite-socket: single-threaded WASM, so its figures are a floor, not what a native
 * Postgres server gives; MMEVOLVE_TEST_POSTGRES_URL points the bench at a real one instead.
 * MMEVOLVE_BENCH_PG_LESSONS sets the size (default 5,000: PGlite builds its HNSW index one insert at a time,
 * ~10 ms each on an idle core here, so 100k takes ~20 min at best — 84 min on the loaded shared machine — and
 * 1M does not fit PGlite's in-memory wasm32 heap). Prints measured numbers; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryExportRecord, MemoryStore } from '../src/core/index.js';
import { openMemoryStore, openPostgresMemoryStore } from '../src/memory/index.js';
import { startTestPostgres } from '../src/memory/store/postgres/pglite-test-support.js';
import { clusteredVectors } from '../src/memory/store/store-test-support.js';

const LESSONS = Number(process.env.MMEVOLVE_BENCH_PG_LESSONS ?? 5_000);
const DIMENSIONS = 256;
const QUERIES = 50;
const K = 10;
const MODEL = 'bench-random-clustered';
/** Both stores take HNSW candidates + exact rescoring above this size (their default is 20,000). */
const TEXT_SEARCH = { twoStageAbove: 1_000 };

function* records(vectors: readonly Float32Array[]): Generator<MemoryExportRecord> {
  yield { type: 'header', format: 'mmevolve-memory', formatVersion: 1, tenant: 'bench', embeddingModel: MODEL, dimensions: DIMENSIONS, imageEmbeddingModel: MODEL, imageDimensions: DIMENSIONS, lessonCount: vectors.length, includesEmbeddings: true };
  const createdAt = '2026-01-01T00:00:00.000Z';
  const provenance = { kind: 'written' as const, fromLessonIds: [], fromVersions: [] };
  for (const [index, vector] of vectors.entries()) {
    const id = `les_${index}`;
    const text = `bench lesson ${index}`;
    const source = { problemId: `p${index}`, question: text, imageRefs: [] };
    const lesson = { id, tenant: 'bench', stream: 'logic' as const, text, subject: 'bench', concepts: [], source, createdAt, updatedAt: createdAt, usageCount: 0, version: 1, provenance, embeddingModel: MODEL };
    yield { type: 'lesson', lesson, versions: [{ lessonId: id, version: 1, text, subject: 'bench', concepts: [], source, createdAt, provenance, embeddingModel: MODEL }], textVectors: [Array.from(vector)], images: [] };
  }
}

/** The records, telling stderr every 10% how far an import got (a 100k import on PGlite takes many minutes). */
function* withProgress(label: string, source: Iterable<MemoryExportRecord>): Generator<MemoryExportRecord> {
  const step = Math.max(1, Math.round(LESSONS / 10));
  const started = performance.now();
  let lessons = 0;
  for (const record of source) {
    yield record;
    if (record.type !== 'lesson') continue;
    lessons += 1;
    if (lessons % step === 0) process.stderr.write(`  ${label}: ${lessons}/${LESSONS} lessons sent in ${((performance.now() - started) / 1000).toFixed(0)} s, load average ${loadavg()[0]?.toFixed(1)}\n`);
  }
}

function exactTop(vectors: readonly Float32Array[], query: Float32Array): Set<string> {
  const norm = (vector: Float32Array): number => Math.hypot(...vector);
  const queryNorm = norm(query);
  const scored = vectors.map((vector, index) => {
    let dot = 0;
    for (let d = 0; d < DIMENSIONS; d += 1) dot += (vector[d] ?? 0) * (query[d] ?? 0);
    return { id: `les_${index}`, score: dot / (norm(vector) * queryNorm) };
  });
  return new Set(scored.sort((a, b) => b.score - a.score).slice(0, K).map((hit) => hit.id));
}

async function measure(store: MemoryStore, queries: readonly Float32Array[], truth: readonly Set<string>[]): Promise<{ p50: number; recall: number }> {
  const tenant = store.forTenant('bench');
  for (const query of queries.slice(0, 5)) await tenant.searchByTextVector('logic', query, K);
  const times: number[] = [];
  let found = 0;
  for (const [index, query] of queries.entries()) {
    const started = performance.now();
    const hits = await tenant.searchByTextVector('logic', query, K);
    times.push(performance.now() - started);
    found += hits.filter((hit) => truth[index]?.has(hit.lesson.id)).length;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] ?? Number.NaN, recall: found / (queries.length * K) };
}

export async function run(): Promise<void> {
  const all = clusteredVectors(LESSONS + QUERIES, DIMENSIONS, 500, 20261207);
  const vectors = all.slice(0, LESSONS);
  const queries = all.slice(LESSONS);
  const truth = queries.map((query) => exactTop(vectors, query));
  const directory = mkdtempSync(join(tmpdir(), 'mmevolve-bench-pg-'));
  const postgres = await startTestPostgres();
  const sqlite = openMemoryStore({ path: join(directory, 'memory.db'), dimensions: DIMENSIONS, embeddingModel: MODEL, textSearch: TEXT_SEARCH });
  const pg = await openPostgresMemoryStore({ url: postgres.url, schema: postgres.freshSchema(), dimensions: DIMENSIONS, embeddingModel: MODEL, textSearch: TEXT_SEARCH });
  try {
    let started = performance.now();
    await sqlite.forTenant('bench').import(withProgress('SQLite import', records(vectors)));
    const sqliteLoad = (performance.now() - started) / 1000;
    started = performance.now();
    await pg.forTenant('bench').import(withProgress('pgvector import', records(vectors)));
    const pgLoad = (performance.now() - started) / 1000;
    const onSqlite = await measure(sqlite, queries, truth);
    const onPg = await measure(pg, queries, truth);
    console.log(`${LESSONS} lessons × ${DIMENSIONS} dims, top-${K}, ${QUERIES} queries, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
    console.log(`  import: SQLite ${sqliteLoad.toFixed(1)} s, pgvector (PGlite) ${pgLoad.toFixed(1)} s  (×${(pgLoad / sqliteLoad).toFixed(1)})`);
    console.log(`  search p50: SQLite ${onSqlite.p50.toFixed(2)} ms, pgvector ${onPg.p50.toFixed(2)} ms  (pgvector/SQLite ×${(onPg.p50 / onSqlite.p50).toFixed(2)})`);
    console.log(`  recall@10 vs exact: SQLite ${(onSqlite.recall * 100).toFixed(1)}%, pgvector ${(onPg.recall * 100).toFixed(1)}%`);
  } finally {
    await sqlite.close();
    await pg.close();
    await postgres.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
