export { DEFAULT_MEMORY_DB_PATH, SqliteMemoryStore, openMemoryStore } from './sqlite-memory-store.js';
export { parseExportRecord } from './export-import.js';
