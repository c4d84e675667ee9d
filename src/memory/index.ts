/** Dual-stream error memory. The store (src/memory/store) is the embedded lesson store behind the MemoryStore contract. */
export { DEFAULT_MEMORY_DB_PATH, SCHEMA_VERSION, SqliteMemoryStore, openMemoryStore, parseExportRecord } from './store/index.js';
export type { OpenMemoryStoreOptions } from './store/index.js';
