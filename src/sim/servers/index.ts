export { createSimMllmApp, startSimMllmServer } from './mllm-server.js';
export type { SimMllmMetrics, SimMllmOptions, SimMllmServer } from './mllm-server.js';
export { createSimSegmenterApp, startSimSegmenterServer } from './segmenter-server.js';
export type { SimSegmenterMetrics, SimSegmenterOptions, SimSegmenterServer } from './segmenter-server.js';
export { SIM_EMBEDDING_MODEL, createSimEmbeddingsApp, startSimEmbeddingsServer } from './embeddings-server.js';
export type { SimEmbeddingsServer } from './embeddings-server.js';
export { listen } from './listen.js';
export type { Listening, ListenOptions } from './listen.js';
