import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LessonWrite, MemoryExportRecord } from '../../core/index.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import type { SqliteMemoryStore } from './sqlite-memory-store.js';
import { clusteredVectors } from './store-test-support.js';

const DIMENSIONS = 32;
const LESSONS = 1_200;
/** Low enough that the 1,200-lesson partition is searched through its graph (40 candidates × 20 ≤ 1,200). */
const GRAPH_SEARCH = { twoStageAbove: 100, oversample: 4, minCandidates: 40 };
const EXACT_SEARCH = { twoStageAbove: Number.POSITIVE_INFINITY };

function insertWrite(index: number, textVector: Float32Array): LessonWrite {
  const text = `logic lesson ${index}`;
  return { kind: 'insert', lesson: { stream: 'logic', text, subject: 'test', concepts: [], source: { problemId: `p${index}`, question: text, imageRefs: [] }, textVector } };
}

describe('HNSW graphs of the lesson store follow SQLite, the source of truth', () => {
  let directory: string;
  let path: string;
  let vectors: Float32Array[];
  let queries: Float32Array[];
  let store: SqliteMemoryStore;
  let exact: SqliteMemoryStore;

  async function expectSameAsExact(label: string): Promise<void> {
    for (const [index, query] of queries.entries()) {
      const expected = await exact.forTenant('alice').searchByTextVector('logic', query, 10);
      const got = await store.forTenant('alice').searchByTextVector('logic', query, 10);
      expect(got.map((hit) => `${hit.lesson.id} ${hit.score.toFixed(6)}`), `${label}: query ${index}`).toEqual(expected.map((hit) => `${hit.lesson.id} ${hit.score.toFixed(6)}`));
      expect(got, `${label}: query ${index}`).toEqual(expected);
    }
  }

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-hnsw-'));
    path = join(directory, 'memory.db');
    const all = clusteredVectors(LESSONS + 60, DIMENSIONS, 20, 5);
    vectors = all.slice(0, LESSONS);
    queries = all.slice(LESSONS, LESSONS + 10);
    store = openMemoryStore({ path, dimensions: DIMENSIONS, embeddingModel: 'test-clustered', textSearch: GRAPH_SEARCH });
    exact = openMemoryStore({ path, textSearch: EXACT_SEARCH });
    await store.forTenant('alice').applyWrites(vectors.map((vector, index) => insertWrite(index, vector)));
  });
  afterEach(async () => {
    await store.close();
    await exact.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers as exact search after inserts, edits, deletes and a failed batch, applying its own writes without a rebuild', async () => {
    await expectSameAsExact('fresh');
    expect(store.textIndexCounts(), 'one graph built on the first search').toEqual({ builds: 1, loads: 0 });
    const tenant = store.forTenant('alice');
    // Another seed: copies of existing vectors would tie, and exact search orders ties its own way.
    const extra = clusteredVectors(20, DIMENSIONS, 20, 6);
    const write = insertWrite(9_999, queries[0] as Float32Array);
    if (write.kind !== 'insert') throw new Error('insertWrite made an edit');
    const inserted = await tenant.insert(write.lesson);
    expect((await tenant.searchByTextVector('logic', queries[0] as Float32Array, 1))[0]?.lesson.id, 'an inserted lesson is found at once').toBe(inserted.lesson.id);
    const page = await tenant.list({ limit: 20 });
    for (const [index, lesson] of page.lessons.slice(0, 10).entries()) await tenant.edit(lesson.id, { text: `edited ${index}`, textVector: extra[index] as Float32Array });
    for (const lesson of page.lessons.slice(10, 20)) await tenant.delete(lesson.id);
    await expect(tenant.applyWrites([insertWrite(10_000, extra[15] as Float32Array), { kind: 'edit', id: 'les_missing', edit: { text: 'x' } }])).rejects.toThrow();
    await expectSameAsExact('after writes');
    expect(store.textIndexCounts(), 'own writes were applied to the graph; the failed batch forced one rebuild').toEqual({ builds: 2, loads: 0 });
  });

  it('rebuilds a graph that another connection\'s writes made stale instead of trusting it', async () => {
    await expectSameAsExact('before');
    const other = openMemoryStore({ path });
    try {
      const lessons = (await other.forTenant('alice').list({ limit: 50 })).lessons;
      for (const lesson of lessons) await other.forTenant('alice').delete(lesson.id);
    } finally {
      await other.close();
    }
    await expectSameAsExact('after another connection deleted 50 lessons');
    expect(store.textIndexCounts().builds, 'the stale graph was rebuilt').toBe(2);
  });

  it('reads a persisted graph back when its generation and checksum match, and rebuilds a damaged one', async () => {
    await expectSameAsExact('before closing');
    await store.close();
    store = openMemoryStore({ path, textSearch: GRAPH_SEARCH });
    await expectSameAsExact('reopened');
    expect(store.textIndexCounts(), 'the saved graph was read, not rebuilt').toEqual({ builds: 0, loads: 1 });
    await store.close();

    const folder = `${path}.hnsw`;
    const graphFile = readdirSync(folder).find((name) => name.endsWith('.graph'));
    expect(graphFile, 'a graph file beside the database').toBeDefined();
    writeFileSync(join(folder, graphFile as string), Buffer.alloc(4096, 7));
    store = openMemoryStore({ path, textSearch: GRAPH_SEARCH });
    await expectSameAsExact('after the graph file was damaged');
    expect(store.textIndexCounts(), 'the damaged graph was rebuilt from the store').toEqual({ builds: 1, loads: 0 });
  });

  it('keeps a loaded graph in step through a bulk import (no rebuild) and saves it at the import\'s generation', async () => {
    await expectSameAsExact('before the import');
    const tenant = store.forTenant('alice');
    const exported: MemoryExportRecord[] = [];
    const source = openMemoryStore({ path: ':memory:', dimensions: DIMENSIONS, embeddingModel: 'test-clustered' });
    try {
      const fresh = clusteredVectors(300, DIMENSIONS, 20, 7);
      await source.forTenant('alice').applyWrites(fresh.map((vector, index) => insertWrite(20_000 + index, vector)));
      for await (const record of source.forTenant('alice').export()) exported.push(record);
    } finally {
      await source.close();
    }
    const report = await tenant.import(exported);
    expect(report.imported, 'every exported lesson imported').toBe(300);
    await expectSameAsExact('after the import');
    expect(store.textIndexCounts(), 'the imported vectors went into the loaded graph: no rebuild').toEqual({ builds: 1, loads: 0 });
    await store.close();
    store = openMemoryStore({ path, textSearch: GRAPH_SEARCH });
    await expectSameAsExact('reopened after the import');
    expect(store.textIndexCounts(), 'the graph saved after the import matched the store\'s generation').toEqual({ builds: 0, loads: 1 });
  });

  it('builds nothing during an import into a partition whose graph is not loaded, and builds it once at the next search', async () => {
    const tenant = store.forTenant('bob');
    const source = openMemoryStore({ path: ':memory:', dimensions: DIMENSIONS, embeddingModel: 'test-clustered' });
    const exported: MemoryExportRecord[] = [];
    try {
      await source.forTenant('bob').applyWrites(vectors.map((vector, index) => insertWrite(index, vector)));
      for await (const record of source.forTenant('bob').export()) exported.push(record);
    } finally {
      await source.close();
    }
    expect((await tenant.import(exported)).imported).toBe(LESSONS);
    expect(store.textIndexCounts(), 'the import built nothing').toEqual({ builds: 0, loads: 0 });
    const got = await tenant.searchByTextVector('logic', queries[0] as Float32Array, 10);
    expect(got, 'the graph\'s answer is the exact one').toEqual(await exact.forTenant('bob').searchByTextVector('logic', queries[0] as Float32Array, 10));
    expect(store.textIndexCounts(), 'one build at the first search').toEqual({ builds: 1, loads: 0 });
  });
});
