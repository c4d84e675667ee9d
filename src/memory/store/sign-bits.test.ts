import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryStore } from './sqlite-memory-store.js';
import type { SqliteMemoryStore } from './sqlite-memory-store.js';
import { TEST_DIMENSIONS, TEST_MODEL, axisVector, newLesson } from './store-test-support.js';

interface BitState {
  /** `tenant/lesson id` → hex of its sign bits, for every row of the bit index. */
  bits: Record<string, string>;
  /** Bit rows that are not sqlite-vec's own quantisation of the lesson's indexed unit vector, or have none. */
  outOfStep: number;
  textVectors: number;
  /** Rowids in the bit index's own rowid table (what its chunks point at). */
  bitRowids: number;
}

/** Reads the file with a separate connection and checks the bits against the vec0 index, independently of the store's code. */
function bitState(path: string): BitState {
  const db = new Database(path, { readonly: true });
  sqliteVec.load(db);
  const rows = db.prepare(`select l.tenant || '/' || l.id as id, hex(b.embedding) as bits,
      b.embedding = vec_quantize_binary(t.embedding) and b.tenant = l.tenant and b.stream = iif(l.stream = 'visual', 1, 0) as same
    from vec_lesson_text_bits b left join lessons l on l.rowid = b.rowid left join vec_lesson_text t on t.rowid = b.rowid`).all() as { id: string; bits: string; same: number | null }[];
  const count = (table: string): number => (db.prepare(`select count(*) as count from ${table}`).get() as { count: number }).count;
  const state: BitState = {
    bits: Object.fromEntries(rows.map((row) => [row.id, row.bits])),
    outOfStep: rows.filter((row) => row.same !== 1).length,
    textVectors: count('vec_lesson_text'),
    bitRowids: count('vec_lesson_text_bits_rowids'),
  };
  db.close();
  return state;
}

function expectInStep(state: BitState, lessons: number): void {
  expect(Object.keys(state.bits).length, 'one bits row per lesson').toBe(lessons);
  expect(state.textVectors, 'one indexed vector per lesson').toBe(lessons);
  expect(state.bitRowids, 'no stale rowid in the bit index').toBe(lessons);
  expect(state.outOfStep, 'bits equal the quantised indexed vector, in the lesson\'s partition').toBe(0);
}

/** Hex of the sign bits of an 8-dim axis vector: a single bit at the axis. */
function axisBits(axis: number): string {
  return (1 << axis).toString(16).toUpperCase().padStart(2, '0');
}

describe('sign bits of text vectors follow every write', () => {
  let directory: string;
  let path: string;
  let store: SqliteMemoryStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-bits-'));
    path = join(directory, 'memory.db');
    store = openMemoryStore({ path, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL });
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes, replaces and restores the bits with insert, edit, merge and restore', async () => {
    const alice = store.forTenant('alice');
    const { lesson: first } = await alice.insert(newLesson('first lesson', 'logic', 1));
    await alice.insert(newLesson('second lesson', 'logic', 2));
    await alice.insert(newLesson('visual lesson', 'visual', 3));
    expectInStep(bitState(path), 3);
    expect(bitState(path).bits[`alice/${first.id}`]).toBe(axisBits(1));

    await alice.edit(first.id, { text: 'first lesson, edited', textVector: axisVector(5) });
    expect(bitState(path).bits[`alice/${first.id}`], 'edit').toBe(axisBits(5));
    await alice.edit(first.id, { text: 'first lesson, merged', textVector: axisVector(6), provenance: { kind: 'merged', fromLessonIds: [first.id, 'other'], fromVersions: [2, 1] } });
    expect(bitState(path).bits[`alice/${first.id}`], 'merge').toBe(axisBits(6));
    await alice.edit(first.id, { subject: 'a subject change keeps the vector' });
    expect(bitState(path).bits[`alice/${first.id}`]).toBe(axisBits(6));
    await alice.restore(first.id, 1);
    expect(bitState(path).bits[`alice/${first.id}`], 'restore').toBe(axisBits(1));
    expectInStep(bitState(path), 3);
    expect((await alice.searchByTextVector('logic', axisVector(1), 1))[0]?.lesson.id).toBe(first.id);
  });

  it('writes the bits of imported lessons and of batched writes, and none from a failed batch', async () => {
    const alice = store.forTenant('alice');
    await alice.applyWrites([1, 2, 3].map((axis) => ({ kind: 'insert' as const, lesson: newLesson(`batched ${axis}`, 'logic', axis) })));
    expectInStep(bitState(path), 3);
    const failing = alice.applyWrites([{ kind: 'insert', lesson: newLesson('would be fourth', 'logic', 4) }, { kind: 'edit', id: 'missing', edit: { subject: 'x' } }]);
    await expect(failing).rejects.toThrow();
    expectInStep(bitState(path), 3);

    const report = await store.forTenant('bob').import(alice.export());
    expect(report.imported).toBe(3);
    expectInStep(bitState(path), 6);
    expect(Object.keys(bitState(path).bits).filter((key) => key.startsWith('bob/')).length).toBe(3);
  });

  it('removes the bits with delete, clear and tenant deletion', async () => {
    const alice = store.forTenant('alice');
    const bob = store.forTenant('bob');
    const { lesson } = await alice.insert(newLesson('to delete', 'logic', 1));
    for (let axis = 2; axis < 6; axis += 1) {
      await alice.insert(newLesson(`alice ${axis}`, axis % 2 === 0 ? 'visual' : 'logic', axis));
      await bob.insert(newLesson(`bob ${axis}`, 'logic', axis));
    }
    expectInStep(bitState(path), 9);

    expect(await alice.delete(lesson.id)).toBe(true);
    expect(bitState(path).bits[`alice/${lesson.id}`]).toBeUndefined();
    expectInStep(bitState(path), 8);
    expect(await alice.clear()).toBe(4);
    expectInStep(bitState(path), 4);
    expect(Object.keys(bitState(path).bits).every((key) => key.startsWith('bob/')), 'only bob\'s bits remain').toBe(true);
    expect(await store.deleteTenant('bob')).toBe(4);
    expect(bitState(path)).toEqual({ bits: {}, outOfStep: 0, textVectors: 0, bitRowids: 0 });
  });
});
