export { DEFAULT_MEMORY_DB_PATH, SqliteMemoryStore, openMemoryStore } from './sqlite-memory-store.js';
export { parseExportRecord } from './export-import.js';
export { DEFAULT_POSTGRES_SCHEMA, PostgresMemoryStore, openPostgresMemoryStore } from './postgres/index.js';
export type { OpenPostgresMemoryStoreOptions } from './postgres/index.js';
