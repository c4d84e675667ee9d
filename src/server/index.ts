/** `mmevolve serve`: the HTTP API, API keys, request limits and the OpenAI-compatible proxy with memory. */
export { createServerApp } from './app.js';
export { startServer } from './start-server.js';
export type { RunningServer } from './start-server.js';
export {
  API_KEY_SCOPES,
  ApiKeyStore,
  DEFAULT_KEYS_DB_PATH,
  openApiKeyStore,
  parseScopes,
} from './key-store.js';
export type { ApiKeyRecord } from './key-store.js';
export { DEFAULT_LIMITS } from './limits.js';
export { openKeyStoreFor, openServerState } from './shared-state.js';
export type { ServerState } from './shared-state.js';
export { MemoryTokenBuckets } from './token-buckets.js';
export type { TokenBuckets } from './token-buckets.js';
export type { ServerLimits } from './limits.js';
export { createServerMetrics } from './metrics.js';
export { probesFor } from './health.js';
export { workspaceEmbedder } from './workspace-embedder.js';
export type { UpstreamOptions } from './routes/proxy.js';
export { serverOptionsFromWorkspace } from './workspace-options.js';
export { SharedRuns } from './runs/shared-runs.js';
