/** Dual-stream error memory. The store (src/memory/store) is the embedded lesson store behind the MemoryStore contract. */
export { DEFAULT_MEMORY_DB_PATH, SCHEMA_VERSION, SqliteMemoryStore, openMemoryStore, parseExportRecord } from './store/index.js';
export type { OpenMemoryStoreOptions } from './store/index.js';
/** The method (ViLoMem): solve → verify → write → grow/refine → retrieve, and MATH-V verification. */
export { solveWithMemory } from './method/solve.js';
export type { ProblemAnalysis, SolveOptions } from './method/solve.js';
export type { MergedLesson, SolveEvent, SolveResult, UsedLesson, WrittenLesson } from './method/solve-result.js';
export { lastBoxedContent, mathVProblem, questionLine } from './method/problem.js';
export type { MemoryProblem } from './method/problem.js';
export type { SolveMode } from './method/prompts.js';
export { defaultMemoryMethodConfig, memoryMethodConfigSchema, parseMemoryMethodConfig } from './method/config.js';
export type { MemoryMethodConfig, MemoryMethodConfigInput } from './method/config.js';
export { checkPreservation } from './method/lesson-preservation.js';
export type { PreservationReport } from './method/lesson-preservation.js';
export type { RejectedMerge } from './method/lesson-refine.js';
export { embedRetrievalQuery, retrieveLessons, retrievalQueryText } from './method/retrieval.js';
export type { RetrievedLesson } from './method/retrieval.js';
export { goldOptionText, verifyAnswer, verifyMathVAnswer } from './verify/verify-answer.js';
export type { AnswerVerdict, GoldAnswer, VerdictRule, VerifyOptions, VerifyRuleOptions } from './verify/verify-answer.js';
export { extractMathVAnswer, findMathAnswer, mathvEqual, normaliseAnswerText } from './verify/mathv-scoring.js';
export type { EqualityRule, ExtractedAnswer, ExtractionRule } from './verify/mathv-scoring.js';
export { loadMathVDataset } from './verify/mathv-dataset.js';
export type { MathVRecord } from './verify/mathv-dataset.js';
