/**
 * The embedded lesson store: one SQLite file per workspace (WAL, foreign keys, secure_delete) with
 * sqlite-vec indexes. The workspace records its embedding models and dimensions on creation; opening it
 * with others is an error, because vectors of two models cannot be compared.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { MemoryStore, MemoryStoreStats, TenantMemory } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { HnswTextIndex } from './hnsw-text-index.js';
import type { TenantContext } from './lesson-writes.js';
import { checkTenant, resolveWorkspace, workspaceFromRows, workspaceRows } from './lesson-data.js';
import type { WorkspaceInfo } from './lesson-data.js';
import { migrate } from './schema.js';
import { prepareStatements } from './statements.js';
import type { Statements } from './statements.js';
import { clearTenant } from './lesson-writes.js';
import { SqliteTenantMemory } from './tenant-memory.js';
import { resolveTextSearch } from './text-search.js';
import type { TextSearchOptions } from './text-search.js';

export const DEFAULT_MEMORY_DB_PATH = '.mmevolve/memory.db';

export interface OpenMemoryStoreOptions {
  /** File path, or ':memory:' for a throwaway store. */
  path: string;
  /** Text embedding size and model. Required to create a workspace; checked against an existing one. */
  dimensions?: number;
  embeddingModel?: string;
  /** Source-image embedding; defaults to the text embedding's size and model. */
  imageDimensions?: number;
  imageEmbeddingModel?: string;
  /** Two-stage text search above a partition size (defaults in text-search.ts). */
  textSearch?: Partial<TextSearchOptions>;
  /** Injectable for deterministic tests. */
  now?: () => Date;
  newId?: () => string;
}

export class SqliteMemoryStore implements MemoryStore {
  readonly embeddingModel: string;
  readonly dimensions: number;
  readonly imageEmbeddingModel: string;
  readonly imageDimensions: number;
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements: Statements;
  readonly #schemaVersion: number;
  readonly #textSearch: TextSearchOptions;
  readonly #textIndex: HnswTextIndex;
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(db: Database.Database, path: string, workspace: WorkspaceInfo, schemaVersion: number, options: OpenMemoryStoreOptions) {
    this.#db = db;
    this.path = path;
    this.embeddingModel = workspace.embeddingModel;
    this.dimensions = workspace.dimensions;
    this.imageEmbeddingModel = workspace.imageEmbeddingModel;
    this.imageDimensions = workspace.imageDimensions;
    this.#schemaVersion = schemaVersion;
    this.#statements = prepareStatements(db);
    this.#textSearch = resolveTextSearch(options.textSearch);
    this.#textIndex = new HnswTextIndex(this.#statements, workspace.dimensions, path);
    this.#now = options.now ?? (() => new Date());
    // 60 random bits: short enough to type, and the (tenant, id) unique index catches the improbable collision.
    this.#newId = options.newId ?? (() => `les_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
  }

  forTenant(tenant: string): TenantMemory {
    return new SqliteTenantMemory(this.#context(tenant));
  }

  async tenants(): Promise<string[]> {
    const rows = this.#db.prepare('select distinct tenant from lessons order by tenant').all() as { tenant: string }[];
    return rows.map((row) => row.tenant);
  }

  async deleteTenant(tenant: string): Promise<number> {
    return clearTenant(this.#context(tenant));
  }

  async stats(): Promise<MemoryStoreStats> {
    const count = (sql: string): number => (this.#db.prepare(sql).get() as { count: number }).count;
    return {
      tenants: count('select count(distinct tenant) as count from lessons'),
      lessons: count('select count(*) as count from lessons'),
      versions: count('select count(*) as count from lesson_versions'),
      textVectors: count('select count(*) as count from vec_lesson_text'),
      imageVectors: count('select count(*) as count from vec_lesson_images'),
      embeddingModel: this.embeddingModel,
      dimensions: this.dimensions,
      imageEmbeddingModel: this.imageEmbeddingModel,
      imageDimensions: this.imageDimensions,
      schemaVersion: this.#schemaVersion,
    };
  }

  /** How many HNSW graphs this store built from its rows and read from disk since it was opened. */
  textIndexCounts(): { builds: number; loads: number } {
    return { builds: this.#textIndex.builds, loads: this.#textIndex.loads };
  }

  /** Saves the HNSW graphs changed since opening (beside the database), then closes it. */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#textIndex.persist();
    this.#db.close();
  }

  #context(tenant: string): TenantContext {
    checkTenant(tenant);
    return {
      db: this.#db,
      statements: this.#statements,
      tenant,
      workspace: { embeddingModel: this.embeddingModel, dimensions: this.dimensions, imageEmbeddingModel: this.imageEmbeddingModel, imageDimensions: this.imageDimensions },
      textSearch: this.#textSearch,
      textIndex: this.#textIndex,
      now: this.#now,
      newId: this.#newId,
    };
  }
}

/** Opens (creating when needed) a workspace's lesson store and brings its schema up to date. */
export function openMemoryStore(options: OpenMemoryStoreOptions): SqliteMemoryStore {
  if (options.path !== ':memory:') {
    mkdirSync(dirname(options.path), { recursive: true });
    // Lessons are a tenant's private notes: the file is created owner-only (SQLite gives -wal and -shm the same mode).
    if (!existsSync(options.path)) closeSync(openSync(options.path, 'a', 0o600));
  }
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (cause) {
    throw mmevolveError('memory-unavailable', `cannot open memory database ${options.path}`, 'check the --db path and its permissions', cause);
  }
  try {
    sqliteVec.load(db);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Deleted lessons are overwritten on disk, not just unlinked: "delete" must mean gone.
    db.pragma('secure_delete = ON');
    db.pragma('synchronous = NORMAL');
    // KNN reads every vector of a partition; keep them in memory-mapped pages rather than re-reading.
    db.pragma('mmap_size = 1073741824');
    const workspace = resolveWorkspace(readWorkspace(db), options, options.path);
    const schemaVersion = migrate(db, { dimensions: workspace.dimensions, imageDimensions: workspace.imageDimensions });
    db.transaction(() => {
      const insert = db.prepare('insert or ignore into workspace (key, value) values (?, ?)');
      for (const [key, value] of workspaceRows(workspace)) insert.run(key, value);
    })();
    return new SqliteMemoryStore(db, options.path, workspace, schemaVersion, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

function readWorkspace(db: Database.Database): WorkspaceInfo | undefined {
  const exists = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'workspace'").get();
  if (exists === undefined) return undefined;
  return workspaceFromRows(db.prepare('select key, value from workspace').all() as { key: string; value: string }[]);
}
