export { DEFAULT_POSTGRES_SCHEMA, PostgresMemoryStore, openPostgresMemoryStore } from './pg-memory-store.js';
export type { OpenPostgresMemoryStoreOptions } from './pg-memory-store.js';
export { PG_SCHEMA_VERSION } from './pg-schema.js';
export { checkIdentifier, connectionError, inTransaction, isUniqueViolation, openPostgresPool, redactUrl } from './pg-connection.js';
export type { PostgresConnectionOptions, Queryable } from './pg-connection.js';
