export { createOpenAICompatibleClient } from './openai-client.js';
export type { OpenAICompatibleClientOptions } from './openai-client.js';
export { DEFAULT_IMAGE_ENCODING } from './image-payload.js';
export type { FramingProfile, ImageEncodingOptions } from './image-payload.js';
export { parseModelOutput, firstBalancedJson, internVlBoxes } from './parse-model-output.js';
export { cacheKey, createResponseCache } from './response-cache.js';
export type { CachedResponse, ResponseCache } from './response-cache.js';
export { BACKEND_ERROR_CODES, BackendError, cancelledError, httpError, isBackendError, isRetryableError, isRetryableStatus, protocolError, retryAfterMs, timeoutError, unavailableError } from './backend-errors.js';
export { withRetries, abortableSleep } from './retry.js';
export type { RetryOptions } from './retry.js';
export { createThrottle } from './throttle.js';
export type { Throttle } from './throttle.js';
export { createSam3Segmenter, predictionMask } from './sam3-segmenter.js';
export type { Sam3SegmenterOptions } from './sam3-segmenter.js';
export { createOfflineEmbedder, createOpenAIEmbedder } from './embedders.js';
export type { OpenAIEmbedderOptions } from './embedders.js';
export { createCallRecorder, percentile, summarizeCalls } from './call-summary.js';
export type { CallStatistics, CallSummary } from './call-summary.js';
export {
  DEFAULT_API_KEY_ENV,
  DEFAULT_CACHE_PATH,
  OPENAI_API_KEY_ENV,
  backendsSectionSchema,
  cacheSectionSchema,
  configError,
  configSchema,
  parseConfig,
  resolveApiKey,
} from './config.js';
export type { BackendRole, EmbedderBackendConfig, MllmBackendConfig, MmevolveConfig, SegmenterBackendConfig } from './config.js';
export { createBackends, profileFor } from './create-backends.js';
export type { Backends, CreateBackendsOptions } from './create-backends.js';
