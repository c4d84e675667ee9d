/**
 * Dual-stream error memory. The stores (src/memory/store) behind the MemoryStore contract: the embedded
 * SQLite one, and one on Postgres + pgvector for several processes sharing lessons.
 */
export {
  DEFAULT_MEMORY_DB_PATH,
  DEFAULT_POSTGRES_SCHEMA,
  PostgresMemoryStore,
  SqliteMemoryStore,
  openMemoryStore,
  openPostgresMemoryStore,
  parseExportRecord,
} from './store/index.js';
export type { OpenPostgresMemoryStoreOptions } from './store/index.js';
/** Postgres connections, shared with the server's key and limit tables (src/server). */
export { checkIdentifier as checkPostgresIdentifier, inTransaction, openPostgresPool, redactUrl as redactPostgresUrl } from './store/postgres/pg-connection.js';
export type { PostgresConnectionOptions } from './store/postgres/pg-connection.js';
/** The method (ViLoMem): solve → verify → write → grow/refine → retrieve, and MATH-V verification. */
export { solveWithMemory } from './method/solve.js';
export { learnFromAnswer } from './method/learn.js';
export type { AnswerJudgement, LearnOutcome, SelfCheck } from './method/learn.js';
export type { SolveOptions } from './method/solve.js';
export type { SolveResult } from './method/solve-result.js';
export { mathVProblem } from './method/problem.js';
export type { MemoryProblem } from './method/problem.js';
export type { SolveMode } from './method/prompts.js';
export { defaultMemoryMethodConfig, memoryMethodConfigSchema, parseMemoryMethodConfig } from './method/config.js';
export type { MemoryMethodConfig } from './method/config.js';
export { embedRetrievalQuery, retrieveLessons } from './method/retrieval.js';
export type { RetrievedLesson } from './method/retrieval.js';
export { verifyAnswer } from './verify/verify-answer.js';
export { loadMathVDataset } from './verify/mathv-dataset.js';
export type { MathVRecord } from './verify/mathv-dataset.js';
