/**
 * Shared by the store's tests: a small workspace on either backend (useTestStores), deterministic vectors
 * and lesson factories.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as sqliteVec from 'sqlite-vec';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { LessonStream, MemoryStore, NewLesson } from '../../core/index.js';
import { seededRandom } from '../../core/index.js';
import { openPostgresMemoryStore } from './postgres/pg-memory-store.js';
import { startTestPostgres } from './postgres/pglite-test-support.js';
import type { TestPostgres } from './postgres/pglite-test-support.js';
import { SqliteMemoryStore, openMemoryStore } from './sqlite-memory-store.js';
import type { OpenMemoryStoreOptions } from './sqlite-memory-store.js';
import type { TextSearchOptions } from './text-search.js';

export const TEST_DIMENSIONS = 8;
export const TEST_MODEL = 'test-embedding-v1';

/** A vector pointing mostly along `axis`, nudged by `nudge` along the next axis (so neighbours are ordered). */
export function axisVector(axis: number, nudge = 0, dimensions = TEST_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  vector[axis % dimensions] = 1;
  vector[(axis + 1) % dimensions] = nudge;
  return vector;
}

export function openTestStore(overrides: Partial<OpenMemoryStoreOptions> = {}): SqliteMemoryStore {
  let tick = 0;
  let counter = 0;
  return openMemoryStore({
    path: ':memory:',
    dimensions: TEST_DIMENSIONS,
    embeddingModel: TEST_MODEL,
    // One second per call keeps createdAt ordering and version times distinct and predictable.
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
    newId: () => `les_${String(++counter).padStart(4, '0')}`,
    ...overrides,
  });
}

export function newLesson(text: string, stream: LessonStream, axis: number, nudge = 0): NewLesson {
  const lesson: NewLesson = {
    stream,
    text,
    subject: stream === 'visual' ? 'geometry' : 'algebra',
    concepts: ['angles', 'parallel lines'],
    source: { problemId: `p-${axis}`, question: `question about ${text}`, imageRefs: stream === 'visual' ? [`images/${axis}.png`] : [] },
    textVector: axisVector(axis, nudge),
  };
  if (stream === 'visual') lesson.imageVectors = [{ imageRef: `images/${axis}.png`, vector: axisVector(axis, nudge) }];
  return lesson;
}

/** `count` seeded vectors scattered (±0.35 per coordinate) around `clusters` random centres, like the bench's. */
export function clusteredVectors(count: number, dimensions: number, clusters: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dimensions }, () => random() * 2 - 1));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)] ?? new Float32Array(dimensions);
    return centre.map((value) => value + (random() * 2 - 1) * 0.35);
  });
}

/** The stores the contract tests run against: the same tests, each backend. */
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestStoreOptions {
  dimensions?: number;
  embeddingModel?: string;
  imageDimensions?: number;
  imageEmbeddingModel?: string;
  textSearch?: Partial<TextSearchOptions>;
  now?: () => Date;
  newId?: () => string;
  /** SQLite: a file in a temp folder instead of ':memory:' (needed to reopen it). Postgres is always shared. */
  onDisk?: boolean;
  /** Closed after all tests of the block rather than after each (for a store built once in beforeAll). */
  keepForBlock?: boolean;
}

export interface RowCounts {
  lessons: number;
  versions: number;
  images: number;
  textVectors: number;
  imageVectors: number;
}

export interface TestStores {
  readonly kind: StoreKind;
  /** A new, empty workspace with deterministic ids and times unless overridden; closed after the test. */
  open(overrides?: TestStoreOptions): Promise<MemoryStore>;
  /** Another connection to the workspace of `store` (SQLite: opened with onDisk). */
  reopen(store: MemoryStore, overrides?: Omit<TestStoreOptions, 'onDisk'>): Promise<MemoryStore>;
  /** Rows counted through a connection of its own, so the store cannot report what it wants. */
  countRows(store: MemoryStore): Promise<RowCounts>;
}

/**
 * Call inside a describe block: for Postgres it starts one PGlite server for the block (beforeAll) and
 * stops it after; every store opened through it is closed after each test, and temp folders removed.
 */
export function useTestStores(kind: StoreKind): TestStores {
  const opened: MemoryStore[] = [];
  const folders: string[] = [];
  const keptStores: MemoryStore[] = [];
  const keptFolders: string[] = [];
  let postgres: TestPostgres | undefined;
  const schemas = new WeakMap<MemoryStore, string>();
  if (kind === 'postgres') {
    beforeAll(async () => {
      postgres = await startTestPostgres();
    }, 120_000);
  }
  afterAll(async () => {
    for (const store of keptStores.splice(0)) await store.close();
    for (const folder of keptFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
    await postgres?.stop();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const deterministic = (): Pick<TestStoreOptions, 'now' | 'newId'> => {
    let tick = 0;
    let counter = 0;
    return { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)), newId: () => `les_${String(++counter).padStart(4, '0')}` };
  };
  const openAt = async (at: { path?: string | undefined; schema?: string | undefined }, given: Omit<TestStoreOptions, 'onDisk'>): Promise<MemoryStore> => {
    const { keepForBlock, ...options } = given;
    let store: MemoryStore;
    if (kind === 'sqlite') {
      store = openMemoryStore({ path: at.path ?? ':memory:', ...definedOnly(options) });
    } else {
      if (postgres === undefined) throw new Error('the test Postgres is not running (useTestStores must be called inside a describe block)');
      const schema = at.schema ?? postgres.freshSchema();
      store = await openPostgresMemoryStore({ url: postgres.url, schema, maxConnections: 4, ...definedOnly(options) });
      schemas.set(store, schema);
    }
    (keepForBlock === true ? keptStores : opened).push(store);
    return store;
  };
  return {
    kind,
    async open(overrides = {}) {
      const { onDisk, ...options } = overrides;
      let path: string | undefined;
      if (kind === 'sqlite' && onDisk === true) {
        const folder = mkdtempSync(join(tmpdir(), 'mmevolve-store-test-'));
        (options.keepForBlock === true ? keptFolders : folders).push(folder);
        path = join(folder, 'memory.db');
      }
      return openAt({ path }, { dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL, ...deterministic(), ...options });
    },
    async reopen(store, overrides = {}) {
      if (store instanceof SqliteMemoryStore) {
        if (store.path === ':memory:') throw new Error('reopen needs a store opened with onDisk: true');
        return openAt({ path: store.path }, overrides);
      }
      return openAt({ schema: schemas.get(store) }, overrides);
    },
    async countRows(store) {
      if (store instanceof SqliteMemoryStore) {
        const db = new Database(store.path, { readonly: true });
        sqliteVec.load(db);
        const count = (table: string): number => (db.prepare(`select count(*) as count from ${table}`).get() as { count: number }).count;
        const counts = { lessons: count('lessons'), versions: count('lesson_versions'), images: count('lesson_images'), textVectors: count('vec_lesson_text'), imageVectors: count('vec_lesson_images') };
        // vec0 keeps a rowid shadow table per index: a deleted vector must leave it too.
        const shadows = [count('vec_lesson_text_rowids'), count('vec_lesson_images_rowids')];
        db.close();
        if (shadows[0] !== counts.textVectors || shadows[1] !== counts.imageVectors) throw new Error(`vec0 rowid tables (${shadows.join(', ')}) out of step with the vectors (${counts.textVectors}, ${counts.imageVectors})`);
        return counts;
      }
      const schema = schemas.get(store);
      if (postgres === undefined || schema === undefined) throw new Error('countRows: not a store of this factory');
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      try {
        const count = async (sql: string): Promise<number> => Number((await client.query<{ count: string }>(sql)).rows[0]?.count);
        return {
          lessons: await count(`select count(*) from ${schema}.lessons`),
          versions: await count(`select count(*) from ${schema}.lesson_versions`),
          images: await count(`select count(*) from ${schema}.lesson_images`),
          textVectors: await count(`select count(text_vector) from ${schema}.lessons`),
          imageVectors: await count(`select count(vector) from ${schema}.lesson_images`),
        };
      } finally {
        await client.end();
      }
    },
  };
}

/** exactOptionalPropertyTypes: pass on only the options that are set. */
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
