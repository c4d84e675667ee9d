import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './schema.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import { clusteredVectors } from './store-test-support.js';
import { DEFAULT_TEXT_SEARCH, textSearchMethod } from './text-search.js';
import { unitVector, vectorToBlob } from './vector-codec.js';

const DIMENSIONS = 64;
const LESSONS = 7_000;

/**
 * A database as schema version 1 left it, written with that version's SQL: lessons with one version, except
 * lesson 0, whose current version 2 has another vector (the one its index row and graph must use).
 */
function writeVersionOneDatabase(path: string, vectors: Float32Array[], editedVector: Float32Array): void {
  const db = new Database(path);
  sqliteVec.load(db);
  expect(migrate(db, { dimensions: DIMENSIONS, imageDimensions: DIMENSIONS }, 1)).toBe(1);
  const insertWorkspace = db.prepare('insert into workspace (key, value) values (?, ?)');
  const insertLesson = db.prepare(`insert into lessons (tenant, id, stream, normalised_text, current_version, created_at) values ('alice', ?, 'logic', ?, ?, '2026-01-01T00:00:00.000Z')`);
  const insertVersion = db.prepare(`insert into lesson_versions (lesson_rowid, version, text, subject, concepts_json, source_json, provenance_json, embedding_model, created_at, text_vector)
    values (?, ?, ?, 'old', '[]', '{"problemId":"p","question":"q","imageRefs":[]}', '{"kind":"written","fromLessonIds":[],"fromVersions":[]}', 'test-old', '2026-01-01T00:00:00.000Z', ?)`);
  const insertVector = db.prepare("insert into vec_lesson_text (rowid, tenant, stream, embedding) values (?, 'alice', 0, ?)");
  db.transaction(() => {
    for (const [key, value] of [['embedding_model', 'test-old'], ['dimensions', String(DIMENSIONS)], ['image_embedding_model', 'test-old'], ['image_dimensions', String(DIMENSIONS)]]) insertWorkspace.run(key, value);
    vectors.forEach((vector, index) => {
      const current = index === 0 ? 2 : 1;
      const rowid = Number(insertLesson.run(`les_${index}`, `old lesson ${index}`, current).lastInsertRowid);
      insertVersion.run(rowid, 1, `old lesson ${index}`, vectorToBlob(vector));
      if (current === 2) insertVersion.run(rowid, 2, `old lesson ${index}`, vectorToBlob(editedVector));
      insertVector.run(BigInt(rowid), vectorToBlob(unitVector(current === 2 ? editedVector : vector)));
    });
  })();
  expect(db.pragma('user_version', { simple: true })).toBe(1);
  db.close();
}

describe('schema upgrade to the HNSW text index', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-upgrade-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('upgrades a version 1 database through version 2, drops the sign-bit table, and searches it in two stages as exactly', async () => {
    const path = join(directory, 'memory.db');
    const all = clusteredVectors(LESSONS + 11, DIMENSIONS, 70, 11);
    const vectors = all.slice(0, LESSONS);
    const editedVector = all[LESSONS] ?? new Float32Array(DIMENSIONS);
    writeVersionOneDatabase(path, vectors, editedVector);

    const lowLimit = { ...DEFAULT_TEXT_SEARCH, twoStageAbove: 1_000 };
    expect(textSearchMethod(LESSONS, 10, lowLimit)).toBe('two-stage');
    const upgraded = openMemoryStore({ path, textSearch: lowLimit });
    const exact = openMemoryStore({ path, textSearch: { twoStageAbove: Number.POSITIVE_INFINITY } });
    try {
      expect((await upgraded.stats()).schemaVersion).toBe(3);
      const raw = new Database(path, { readonly: true });
      const tables = raw.prepare("select name from sqlite_master where name like 'vec_lesson_text_bits%' or name = 'text_index_generations'").all();
      raw.close();
      expect(tables, 'the sign-bit tables are gone and the generations table exists').toEqual([{ name: 'text_index_generations' }]);

      const tenant = upgraded.forTenant('alice');
      expect((await tenant.searchByTextVector('logic', editedVector, 1))[0]?.lesson.id, 'the current version\'s vector finds lesson 0').toBe('les_0');
      for (const [index, query] of all.slice(LESSONS + 1).entries()) {
        const expected = await exact.forTenant('alice').searchByTextVector('logic', query, 10);
        expect(expected.length).toBe(10);
        expect(await tenant.searchByTextVector('logic', query, 10), `query ${index}`).toEqual(expected);
      }
      const { lesson } = await tenant.insert({ stream: 'logic', text: 'written after the upgrade', subject: 'new', concepts: [], source: { problemId: 'n', question: 'q', imageRefs: [] }, textVector: editedVector.map((value) => -value) });
      expect((await tenant.searchByTextVector('logic', editedVector.map((value) => -value), 1))[0]?.lesson.id).toBe(lesson.id);
    } finally {
      await upgraded.close();
      await exact.close();
    }
  });
});
