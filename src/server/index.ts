/** `mmevolve serve`: the HTTP API, API keys, request limits and the OpenAI-compatible proxy with memory. */
export { createServerApp } from './app.js';
export type { ServerApp, ServerAppOptions } from './app.js';
export { startServer, isLoopbackHost } from './start-server.js';
export type { RunningServer, StartServerOptions } from './start-server.js';
export { API_KEY_SCOPES, ApiKeyStore, DEFAULT_KEYS_DB_PATH, isApiKeyScope, openApiKeyStore, parseScopes } from './key-store.js';
export type { ApiKeyRecord, ApiKeyScope, CreatedApiKey } from './key-store.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export type { ServerLimits } from './limits.js';
export { createServerMetrics } from './metrics.js';
export type { ServerMetrics } from './metrics.js';
export { probesFor } from './health.js';
export type { HealthProbe, HealthReport } from './health.js';
export { DEFAULT_INJECTION_SETTINGS, LESSON_HEADER } from './lesson-injection.js';
export type { InjectionSettings } from './lesson-injection.js';
export { DEV_TENANT } from './auth.js';
export { openApiDocument } from './openapi.js';
export { workspaceEmbedder } from './workspace-embedder.js';
export type { UpstreamOptions } from './routes/proxy.js';
