export { createSimMllmApp, startSimMllmServer } from './mllm-server.js';
export type { SimMllmMetrics, SimMllmOptions, SimMllmServer } from './mllm-server.js';
