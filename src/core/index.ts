export { MmevolveError, isMmevolveError, mmevolveError } from './errors.js';
export { ok, err } from './result.js';
export { FNV1A_OFFSET_BASIS, fnv1a, seededRandom } from './random.js';
export { deepMerge, isPlainRecord } from './merge.js';
export { describeConfigIssues, nearestKey, validKeysAt } from './config-issues.js';
export { canonicalJson } from './canonical-json.js';
export { cosineOfCommonPrefix, cosineSimilarity } from './vectors.js';
export type { Result, Warning } from './result.js';
export { IGNORE_LABEL, createMask, sameSize } from './types.js';
export type { Box, LabelMap, Mask, RgbImage, Size } from './types.js';
export {
  TASK_NAMES,
  formatOptionsLine,
  isStructuredTask,
  isTaskName,
  messageText,
  parseOptionsLine,
  readLabelledBlock,
  readLabelledLine,
  taskFromRequest,
  taskJsonSchema,
  taskResponseFormat,
  taskResponseSchema,
  taskSystemLine,
} from './tasks.js';
export type { StructuredTaskName, TaskName, TaskResponse } from './tasks.js';
export { engineJsonSchema } from './engine-json-schema.js';
export { engineSchemaProblems } from './engine-schema-rules.js';
export { clientResponseSchemas, clientSchemasDigest, schemaDigest } from './client-schemas.js';
export { isPreparedImage } from './contracts.js';
export type {
  CallRecord,
  ChatImage,
  ChatMessage,
  ChatRequest,
  ChatResult,
  EmbedOptions,
  Embedder,
  EmbedderKind,
  EncodedImage,
  MllmClient,
  OutputSchema,
  PreparedImage,
  SegmentInstance,
  SegmentOptions,
  SegmentPrompt,
  SegmentResult,
  Segmenter,
  SentImageFrame,
  Usage,
} from './contracts.js';
export * from './memory-store.js';
export { listenToChannel } from './pg-listen.js';
