/**
 * Which lesson store `mmevolve memory …` works on: the --db file when given; else a Postgres store when
 * the workspace config (mmevolve.config.*) says `store: {kind: postgres}`; else the default SQLite file.
 */
import { existsSync } from 'node:fs';
import { findConfigFile, loadWorkspaceConfig } from '../../app/index.js';
import type { StoreConfig } from '../../app/index.js';
import { createOfflineEmbedder } from '../../backends/index.js';
import type { MemoryExportRecord, MemoryStore } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_MEMORY_DB_PATH, openMemoryStore, openPostgresMemoryStore, redactPostgresUrl } from '../../memory/index.js';
import { OFFLINE_EMBEDDING_DIMENSIONS } from '../../protocols/index.js';

type PostgresStoreConfig = Extract<StoreConfig, { kind: 'postgres' }>;

export interface StoreLocationOptions {
  db?: string;
}

/** The configured Postgres store, unless --db names a file (or no config file says postgres). */
async function configuredPostgres(options: StoreLocationOptions): Promise<PostgresStoreConfig | undefined> {
  if (options.db !== undefined || findConfigFile() === undefined) return undefined;
  const { store } = await loadWorkspaceConfig();
  return store.kind === 'postgres' ? store : undefined;
}

/** For messages: the file, or the Postgres URL without its password. */
export async function storeLabel(options: StoreLocationOptions): Promise<string> {
  const postgres = await configuredPostgres(options);
  return postgres === undefined ? (options.db ?? DEFAULT_MEMORY_DB_PATH) : `${redactPostgresUrl(postgres.url)} (schema ${postgres.schema})`;
}

export async function openExistingStore(options: StoreLocationOptions): Promise<MemoryStore> {
  const postgres = await configuredPostgres(options);
  if (postgres !== undefined) return openPostgresMemoryStore({ url: postgres.url, schema: postgres.schema, maxConnections: postgres.maxConnections });
  const path = options.db ?? DEFAULT_MEMORY_DB_PATH;
  if (!existsSync(path)) {
    throw mmevolveError('not-found', `no memory database at ${path}`, 'pass --db PATH, or create one with `mmevolve memory import FILE` (or by running the memory method)');
  }
  return openMemoryStore({ path });
}

/**
 * A new workspace takes the export's own models and sizes, so nothing needs re-embedding; an existing one
 * keeps its models and the import re-embeds with the workspace embedder when they differ.
 */
export async function openStoreForImport(options: StoreLocationOptions, header: MemoryExportRecord | undefined): Promise<MemoryStore> {
  const forNew =
    header?.type === 'header'
      ? { dimensions: header.dimensions, embeddingModel: header.embeddingModel, imageDimensions: header.imageDimensions, imageEmbeddingModel: header.imageEmbeddingModel }
      : { dimensions: OFFLINE_EMBEDDING_DIMENSIONS, embeddingModel: createOfflineEmbedder().model };
  const postgres = await configuredPostgres(options);
  if (postgres !== undefined) {
    return openPostgresMemoryStore({ url: postgres.url, schema: postgres.schema, maxConnections: postgres.maxConnections, describeNew: async () => forNew });
  }
  const path = options.db ?? DEFAULT_MEMORY_DB_PATH;
  return existsSync(path) ? openMemoryStore({ path }) : openMemoryStore({ path, ...forNew });
}
