/** Dual-stream error memory. The store (src/memory/store) is the embedded lesson store behind the MemoryStore contract. */
export {
  DEFAULT_MEMORY_DB_PATH,
  SqliteMemoryStore,
  openMemoryStore,
  parseExportRecord,
} from './store/index.js';
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
