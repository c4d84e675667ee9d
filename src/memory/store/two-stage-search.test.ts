import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import type { LessonStream, LessonWrite } from '../../core/index.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import type { SqliteMemoryStore } from './sqlite-memory-store.js';
import { clusteredVectors } from './store-test-support.js';
import { DEFAULT_TEXT_SEARCH, textSearchMethod } from './text-search.js';

const DIMENSIONS = 64;
const LOGIC_LESSONS = 7_000;
const VISUAL_LESSONS = 300;
const QUERIES = 25;
/** The defaults with the limit forced low, so this test's 7,000-vector partition takes the two-stage path. */
const LOW_LIMIT = { ...DEFAULT_TEXT_SEARCH, twoStageAbove: 1_000 };

function insertWrite(stream: LessonStream, index: number, textVector: Float32Array): LessonWrite {
  const text = `${stream} lesson ${index}`;
  return { kind: 'insert', lesson: { stream, text, subject: 'test', concepts: [], source: { problemId: `p${index}`, question: text, imageRefs: [] }, textVector } };
}

describe('two-stage text search over HNSW candidates with exact rescoring', () => {
  let directory: string;
  let twoStage: SqliteMemoryStore;
  let exact: SqliteMemoryStore;
  let queries: Float32Array[];

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-two-stage-'));
    const path = join(directory, 'memory.db');
    twoStage = openMemoryStore({ path, dimensions: DIMENSIONS, embeddingModel: 'test-clustered', textSearch: LOW_LIMIT });
    // A second connection to the same file that always scans exactly: the reference.
    exact = openMemoryStore({ path, textSearch: { twoStageAbove: Number.POSITIVE_INFINITY } });
    const vectors = clusteredVectors(LOGIC_LESSONS + VISUAL_LESSONS + QUERIES, DIMENSIONS, 70, 7);
    const writes = vectors.slice(0, LOGIC_LESSONS).map((vector, index) => insertWrite('logic', index, vector));
    writes.push(...vectors.slice(LOGIC_LESSONS, LOGIC_LESSONS + VISUAL_LESSONS).map((vector, index) => insertWrite('visual', index, vector)));
    await twoStage.forTenant('alice').applyWrites(writes);
    queries = vectors.slice(LOGIC_LESSONS + VISUAL_LESSONS);
  });
  afterEach(async () => {
    await twoStage.close();
    await exact.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('returns the same lessons, scores and order as exact search on a clustered set above the limit', async () => {
    expect(textSearchMethod(LOGIC_LESSONS, 10, LOW_LIMIT), 'the logic partition is searched in two stages').toBe('two-stage');
    expect(textSearchMethod(VISUAL_LESSONS, 10, LOW_LIMIT), 'the visual partition stays under the limit').toBe('exact');
    expect(textSearchMethod(LOGIC_LESSONS, 10, { twoStageAbove: Number.POSITIVE_INFINITY, oversample: 32, minCandidates: 200 })).toBe('exact');
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
