import { beforeAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import type { LessonStream, MemoryExportRecord, MemoryStore } from '../../core/index.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import { STORE_KINDS, clusteredVectors, useTestStores } from './store-test-support.js';
import { DEFAULT_TEXT_SEARCH, textSearchMethod } from './text-search.js';

const DIMENSIONS = 64;
/** Postgres builds its HNSW index in PGlite's WASM at insert time: a smaller partition keeps the test in seconds. */
const LOGIC_LESSONS = { sqlite: 7_000, postgres: 1_500 } as const;
const VISUAL_LESSONS = 300;
const QUERIES = 25;
/** The defaults with the limit forced low, so this test's logic partition takes the two-stage path. */
const LOW_LIMIT = { ...DEFAULT_TEXT_SEARCH, twoStageAbove: 1_000 };
const MODEL = 'test-clustered';

/** The lessons as an export, so both stores load them in batches (the import path). */
function* records(vectors: readonly Float32Array[], streams: readonly LessonStream[]): Generator<MemoryExportRecord> {
  yield { type: 'header', format: 'mmevolve-memory', formatVersion: 1, tenant: 'alice', embeddingModel: MODEL, dimensions: DIMENSIONS, imageEmbeddingModel: MODEL, imageDimensions: DIMENSIONS, lessonCount: vectors.length, includesEmbeddings: true };
  const createdAt = '2026-01-01T00:00:00.000Z';
  const provenance = { kind: 'written' as const, fromLessonIds: [], fromVersions: [] };
  for (const [index, vector] of vectors.entries()) {
    const stream = streams[index] ?? 'logic';
    const id = `les_${String(index).padStart(5, '0')}`;
    const text = `${stream} lesson ${index}`;
    const source = { problemId: `p${index}`, question: text, imageRefs: [] };
    const lesson = { id, tenant: 'alice', stream, text, subject: 'test', concepts: [], source, createdAt, updatedAt: createdAt, usageCount: 0, version: 1, provenance, embeddingModel: MODEL };
    yield { type: 'lesson', lesson, versions: [{ lessonId: id, version: 1, text, subject: 'test', concepts: [], source, createdAt, provenance, embeddingModel: MODEL }], textVectors: [Array.from(vector)], images: [] };
  }
}

describe.each(STORE_KINDS)('two-stage text search over HNSW candidates with exact rescoring (%s)', (kind) => {
  const stores = useTestStores(kind);
  const logicLessons = LOGIC_LESSONS[kind];
  let twoStage: MemoryStore;
  let exact: MemoryStore;
  let queries: Float32Array[];

  // Built once: the tests only search.
  beforeAll(async () => {
    twoStage = await stores.open({ onDisk: true, keepForBlock: true, dimensions: DIMENSIONS, embeddingModel: MODEL, textSearch: LOW_LIMIT });
    // A second connection to the same store that always scans exactly: the reference.
    exact = await stores.reopen(twoStage, { keepForBlock: true, textSearch: { twoStageAbove: Number.POSITIVE_INFINITY } });
    const vectors = clusteredVectors(logicLessons + VISUAL_LESSONS + QUERIES, DIMENSIONS, 70, 7);
    const streams = vectors.map((_, index): LessonStream => (index < logicLessons ? 'logic' : 'visual'));
    await twoStage.forTenant('alice').import(records(vectors.slice(0, logicLessons + VISUAL_LESSONS), streams));
    queries = vectors.slice(logicLessons + VISUAL_LESSONS);
  }, 120_000);

  it('returns the same lessons, scores and order as exact search on a clustered set above the limit', async () => {
    expect(textSearchMethod(logicLessons, 10, LOW_LIMIT), 'the logic partition is searched in two stages').toBe('two-stage');
    expect(textSearchMethod(VISUAL_LESSONS, 10, LOW_LIMIT), 'the visual partition stays under the limit').toBe('exact');
    expect(textSearchMethod(logicLessons, 10, { twoStageAbove: Number.POSITIVE_INFINITY, oversample: 32, minCandidates: 200 })).toBe('exact');
    const fast = twoStage.forTenant('alice');
    const reference = exact.forTenant('alice');
    for (const [index, query] of queries.entries()) {
      for (const k of [1, 10]) {
        const expected = await reference.searchByTextVector('logic', query, k);
        expect(expected.length).toBe(k);
        expect(await fast.searchByTextVector('logic', query, k), `query ${index}, k ${k}`).toEqual(expected);
      }
      const expectedVisual = await reference.searchByTextVector('visual', query, 10);
      expect(await fast.searchByTextVector('visual', query, 10), `visual query ${index}`).toEqual(expectedVisual);
    }
  });

  it('applies the score floor after ranking exactly as exact search does', async () => {
    const fast = twoStage.forTenant('alice');
    const reference = exact.forTenant('alice');
    for (const query of queries.slice(0, 5)) {
      const top = await reference.searchByTextVector('logic', query, 10);
      const floor = top[4]?.score ?? 1;
      const kept = await fast.searchByTextVector('logic', query, 10, floor);
      expect(kept).toEqual(await reference.searchByTextVector('logic', query, 10, floor));
      expect(kept.length).toBeGreaterThanOrEqual(5);
      expect(kept.every((hit) => hit.score >= floor)).toBe(true);
    }
  });
});

describe('choice and options of the two-stage text search', () => {
  it('keeps exact search when the candidates would cover much of the partition', () => {
    expect(textSearchMethod(7_000, 100, LOW_LIMIT), '400 candidates of 7,000 vectors').toBe('exact');
    expect(textSearchMethod(20_000, 10, DEFAULT_TEXT_SEARCH), 'at the default limit').toBe('exact');
    expect(textSearchMethod(20_001, 10, DEFAULT_TEXT_SEARCH), 'above the default limit').toBe('two-stage');
  });

  it('refuses text search options that are not positive integers', () => {
    for (const textSearch of [{ oversample: 0 }, { minCandidates: 1.5 }, { twoStageAbove: -1 }]) {
      const error = (() => {
        try {
          openMemoryStore({ path: ':memory:', dimensions: 8, embeddingModel: 'test', textSearch });
          return undefined;
        } catch (caught: unknown) {
          return caught;
        }
      })();
      expect(isMmevolveError(error) ? error.code : error, JSON.stringify(textSearch)).toBe('invalid-input');
    }
  });
});
