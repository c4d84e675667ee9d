export { createOpenAICompatibleClient } from './openai-client.js';
export {
  BACKEND_ERROR_CODES,
  BackendError,
  cancelledError,
  httpError,
  isBackendError,
  isRetryableError,
  isRetryableStatus,
  protocolError,
  retryAfterMs,
  timeoutError,
  unavailableError,
} from './backend-errors.js';
export { withRetries } from './retry.js';
export type { RetryOptions } from './retry.js';
export { createSam3Segmenter } from './sam3-segmenter.js';
export { createOfflineEmbedder, createOpenAIEmbedder } from './embedders.js';
export { formatCallCosts, percentile } from './call-summary.js';
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
export type {
  BackendRole,
  EmbedderBackendConfig,
  MllmBackendConfig,
  MmevolveConfig,
  SegmenterBackendConfig,
} from './config.js';
export { createBackends } from './create-backends.js';
export type { ReplicaState } from './replica-pool.js';
export type { Backends, CreateBackendsOptions } from './create-backends.js';
export { createResponseCache } from './response-cache.js';
export { DEBIAN_FFMPEG_PATH, decodeVideoFrames, locateFfmpeg, parseFfmpegVideoInfo, probeVideo } from './video-frames.js';
export type { VideoInfo } from './video-frames.js';
export { decodePlannedFrames, planQwen3VlVideo, qwen3VlVideoChatRequest, videoFrameSendSize } from './qwen3-vl-video-input.js';
export type { PlanVideoOptions, VideoChatOptions, VideoSamplePlan } from './qwen3-vl-video-input.js';
