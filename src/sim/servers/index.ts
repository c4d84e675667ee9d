export { createSimMllmApp, startSimMllmServer } from './mllm-server.js';
export type { SimMllmMetrics, SimMllmOptions, SimMllmServer } from './mllm-server.js';
export { createSimSegmenterApp, startSimSegmenterServer } from './segmenter-server.js';
export type { SimSegmenterMetrics, SimSegmenterOptions, SimSegmenterServer } from './segmenter-server.js';
