/**
 * The lesson store on Postgres + pgvector, for several processes (serve replicas, workers) sharing one
 * store. Same contract as the SQLite store: the workspace records its embedding models and dimensions on
 * creation and refuses others; all tables live in one Postgres schema (default `mmevolve`), so several
 * workspaces can share a database.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { MemoryStore, MemoryStoreStats, TenantMemory } from '../../../core/index.js';
import { checkTenant, resolveWorkspace, workspaceFromRows, workspaceRows } from '../lesson-data.js';
import type { WorkspaceInfo, WorkspaceRequest } from '../lesson-data.js';
import { resolveTextSearch } from '../text-search.js';
import type { TextSearchOptions } from '../text-search.js';
import { checkIdentifier, inTransaction, openPostgresPool, redactUrl } from './pg-connection.js';
import type { PostgresConnectionOptions } from './pg-connection.js';
import { clearTenantRows } from './pg-lesson-writes.js';
import type { PgTenantContext } from './pg-lesson-writes.js';
import { migratePostgres } from './pg-schema.js';
import { pgStatements } from './pg-statements.js';
import type { PgStatements } from './pg-statements.js';
import { PostgresTenantMemory } from './pg-tenant-memory.js';

export const DEFAULT_POSTGRES_SCHEMA = 'mmevolve';

export interface OpenPostgresMemoryStoreOptions extends PostgresConnectionOptions, WorkspaceRequest {
  /** The Postgres schema holding this workspace's tables (default `mmevolve`). */
  schema?: string;
  /** Two-stage text search above a partition size (defaults in text-search.ts, as for SQLite). */
  textSearch?: Partial<TextSearchOptions>;
  /**
   * Called only when the schema holds no workspace yet and no dimensions / model were given: the app
   * layer probes its embedder here, so an existing store never costs an embedding call.
   */
  describeNew?: () => Promise<{ dimensions: number; embeddingModel: string }>;
  /** Injectable for deterministic tests. */
  now?: () => Date;
  newId?: () => string;
}

export class PostgresMemoryStore implements MemoryStore {
  readonly embeddingModel: string;
  readonly dimensions: number;
  readonly imageEmbeddingModel: string;
  readonly imageDimensions: number;
  /** The URL with its password replaced, for messages. */
  readonly location: string;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #sql: PgStatements;
  readonly #schemaVersion: number;
  readonly #textSearch: TextSearchOptions;
  readonly #now: () => Date;
  readonly #newId: () => string;
  #closed = false;

  constructor(pool: pg.Pool, workspace: WorkspaceInfo, schemaVersion: number, options: OpenPostgresMemoryStoreOptions & { schema: string }) {
    this.#pool = pool;
    this.location = redactUrl(options.url);
    this.schema = options.schema;
    this.embeddingModel = workspace.embeddingModel;
    this.dimensions = workspace.dimensions;
    this.imageEmbeddingModel = workspace.imageEmbeddingModel;
    this.imageDimensions = workspace.imageDimensions;
    this.#sql = pgStatements(options.schema);
    this.#schemaVersion = schemaVersion;
    this.#textSearch = resolveTextSearch(options.textSearch);
    this.#now = options.now ?? (() => new Date());
    // The same id form as the SQLite store: 60 random bits, and (tenant, id) is unique.
    this.#newId = options.newId ?? (() => `les_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
  }

  forTenant(tenant: string): TenantMemory {
    return new PostgresTenantMemory(this.#context(tenant));
  }

  async tenants(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ tenant: string }>(this.#sql.tenants);
    return rows.map((row) => row.tenant);
  }

  async deleteTenant(tenant: string): Promise<number> {
    const context = this.#context(tenant);
    return inTransaction(this.#pool, (client) => clearTenantRows(client, context));
  }

  async stats(): Promise<MemoryStoreStats> {
    const { rows } = await this.#pool.query<{ tenants: number; lessons: number; versions: number; images: number }>(this.#sql.storeCounts);
    const counts = rows[0] ?? { tenants: 0, lessons: 0, versions: 0, images: 0 };
    return {
      tenants: counts.tenants,
      lessons: counts.lessons,
      versions: counts.versions,
      textVectors: counts.lessons,
      imageVectors: counts.images,
      embeddingModel: this.embeddingModel,
      dimensions: this.dimensions,
      imageEmbeddingModel: this.imageEmbeddingModel,
      imageDimensions: this.imageDimensions,
      schemaVersion: this.#schemaVersion,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #context(tenant: string): PgTenantContext {
    checkTenant(tenant);
    return {
      pool: this.#pool,
      sql: this.#sql,
      tenant,
      workspace: { embeddingModel: this.embeddingModel, dimensions: this.dimensions, imageEmbeddingModel: this.imageEmbeddingModel, imageDimensions: this.imageDimensions },
      textSearch: this.#textSearch,
      now: this.#now,
      newId: this.#newId,
    };
  }
}

/** Connects, creates or checks the workspace, and brings the schema up to date. */
export async function openPostgresMemoryStore(options: OpenPostgresMemoryStoreOptions): Promise<PostgresMemoryStore> {
  const schema = checkIdentifier(options.schema ?? DEFAULT_POSTGRES_SCHEMA, 'store.schema');
  const textSearch = resolveTextSearch(options.textSearch);
  const where = `${redactUrl(options.url)} (schema ${schema})`;
  const pool = await openPostgresPool(options);
  try {
    const client = await pool.connect();
    let workspace: WorkspaceInfo;
    let schemaVersion: number;
    try {
      const recorded = await readWorkspace(client, schema);
      const described = recorded === undefined && options.dimensions === undefined && options.describeNew !== undefined ? await options.describeNew() : {};
      const requested = resolveWorkspace(recorded, { ...options, ...described }, where);
      schemaVersion = await migratePostgres(client, schema, { dimensions: requested.dimensions, imageDimensions: requested.imageDimensions });
      for (const [key, value] of workspaceRows(requested)) {
        await client.query(`insert into ${schema}.workspace (key, value) values ($1, $2) on conflict (key) do nothing`, [key, value]);
      }
      // Read back: a replica that created the workspace a moment earlier decides what it is.
      workspace = resolveWorkspace(await readWorkspace(client, schema), options, where);
    } finally {
      client.release();
    }
    return new PostgresMemoryStore(pool, workspace, schemaVersion, { ...options, schema, textSearch });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function readWorkspace(client: pg.PoolClient, schema: string): Promise<WorkspaceInfo | undefined> {
  const { rows: exists } = await client.query<{ table: string | null }>('select to_regclass($1)::text as table', [`${schema}.workspace`]);
  if (exists[0]?.table === null || exists[0] === undefined) return undefined;
  const { rows } = await client.query<{ key: string; value: string }>(`select key, value from ${schema}.workspace`);
  return workspaceFromRows(rows);
}
