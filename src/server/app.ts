/**
 * The HTTP API as a hono app, built from its parts so tests run it in-process with `app.request()`.
 * Order matters: metrics wrap everything; /healthz and /openapi.json are public; every /v1 route is
 * authenticated first (no body is read for a caller without a valid key), then rate-limited, then
 * size-limited. One error handler turns every failure into `{error: {code, message, hint}}`.
 */
import { existsSync } from 'node:fs';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import type { Backends } from '../backends/index.js';
import { isMmevolveError, mmevolveError } from '../core/index.js';
import type { MemoryStore } from '../core/index.js';
import { DEFAULT_EVOLVE_PRESET } from '../evolve/index.js';
import { defaultMemoryMethodConfig } from '../memory/index.js';
import type { MemoryMethodConfig } from '../memory/index.js';
import { errorBody, errorResponse } from './api-errors.js';
import type { ErrorLogger } from './api-errors.js';
import { authenticate, requireScope } from './auth.js';
import { AuthFailureLimiter } from './auth-limits.js';
import { MemoryTokenBuckets } from './token-buckets.js';
import type { TokenBuckets } from './token-buckets.js';
import { backendModels, checkHealth, probesFor } from './health.js';
import type { HealthProbe } from './health.js';
import type { ApiKeyStore } from './key-store.js';
import { limitBody, rateLimit, resolveLimits } from './limits.js';
import type { ServerLimits } from './limits.js';
import type { EvolveDefaults } from './evolve-defaults.js';
import { createServerMetrics } from './metrics.js';
import { healthReplicas, renderReplicaMetrics } from './replica-health.js';
import type { ServerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { RouteDoc } from './openapi.js';
import type { ServerEnv } from './principal.js';
import { memoryRoutes } from './routes/memories.js';
import { proxyRoutes } from './routes/proxy.js';
import { RUN_ROUTE_DOCS, runRoutes } from './routes/runs.js';
import { DISTRIBUTED_RUN_ROUTE_DOCS, distributedRunRoutes } from './routes/distributed-runs.js';
import { SEGMENT_ROUTE_DOCS, segmentRoutes } from './routes/segment.js';
import { SOLVE_ROUTE_DOCS, solveRoutes } from './routes/solve.js';
import type { UpstreamOptions } from './routes/proxy.js';
import { pathRedactor, redactResponses } from './redact-paths.js';
import { AnswerLearning } from './answer-learning.js';
import { AnswerLog } from './answer-log.js';
import type { AnswerRetention } from './answer-log.js';
import type { AnswerRows } from './answer-rows.js';
import { FEEDBACK_ROUTE_DOCS, feedbackRoutes } from './routes/feedback.js';
import type { SharedRuns } from './runs/shared-runs.js';
import { RunManager } from './runs/run-manager.js';
import { TenantIntake, fairIntake } from './tenant-intake.js';
import { workspaceEmbedder } from './workspace-embedder.js';
import { healthReportSchema, settingsResponseSchema } from './api-schemas.js';
import { requestEvolve } from './evolve-defaults.js';
import { sendJson } from './send-json.js';

export interface ServerAppOptions {
  keyStore: ApiKeyStore;
  memoryStore: MemoryStore;
  backends?: Backends;
  /** Where the proxy forwards /v1/chat/completions and /v1/models (the mllm backend's server). */
  upstream?: UpstreamOptions;
  /** Directory of evaluation runs (state on disk); without it /v1/runs is not offered. */
  runsDir?: string;
  /** Datasets runs may evaluate, named relative to this folder (default: `datasets` beside runsDir's parent). */
  datasetsDir?: string;
  /** Runs executing at once (default 1). */
  maxConcurrentRuns?: number;
  /** Runs kept in Postgres and shared with other serve replicas on it (runs/shared-runs.ts); runsDir still holds local scratch. */
  sharedRuns?: SharedRuns;
  limits?: Partial<ServerLimits>;
  /** Keyless loopback use as tenant "dev". */
  dev?: boolean;
  /** The rate-limit and failed-authentication buckets; several replicas share them on Postgres (token-buckets-postgres.ts). */
  tokenBuckets?: TokenBuckets;
  metrics?: ServerMetrics;
  /** Backend reachability checks for /healthz; derived from `backends` when absent. */
  health?: Record<string, HealthProbe>;
  healthTimeoutMs?: number;
  /** Built web UI served at `/` when the folder exists. */
  staticDir?: string;
  /** Memory method settings (a config file's `memory` section): /v1/solve defaults and the proxy's retrieval thresholds. */
  memoryConfig?: MemoryMethodConfig;
  /** How long and how much of the proxy's answers is kept per tenant for /v1/feedback (answer-log.ts). */
  answerRetention?: Partial<AnswerRetention>;
  /**
   * Where those answers are kept: `serve` passes the workspace's (SQLite file or Postgres, answer-rows.ts)
   * so feedback after a restart finds its answer; default in this process only. The caller closes it.
   */
  answerRows?: AnswerRows;
  /**
   * The evolve preset and overrides requests start from (a config file's `evolve` section, via
   * openWorkspace); default: DEFAULT_EVOLVE_PRESET without overrides. A request's preset and config win.
   */
  evolve?: EvolveDefaults;
  log?: ErrorLogger;
  /** Peer address for in-process tests (no socket). */
  addressOf?: (context: Context) => string | undefined;
  /** Clock of the rate limiter, in milliseconds. */
  now?: () => number;
}

export interface ServerApp {
  app: Hono<ServerEnv>;
  metrics: ServerMetrics;
  limits: ServerLimits;
  /** Present when runsDir was given; call runs.recover() at start-up to resume interrupted runs. */
  runs: RunManager | undefined;
  /** The proxy's kept answers, feedback and label-free checks; idle() waits for background work. */
  learning: AnswerLearning;
  /** Stops background runs without marking them cancelled (a restart resumes them). */
  close(): Promise<void>;
}

const defaultLog: ErrorLogger = (message, error) => {
  process.stderr.write(`[mmevolve serve] ${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
};

export function createServerApp(options: ServerAppOptions): ServerApp {
  const limits = resolveLimits(options.limits);
  const metrics = options.metrics ?? createServerMetrics();
  const log = options.log ?? defaultLog;
  const embedder = workspaceEmbedder(options.memoryStore, options.backends?.embedder);
  const probes = options.health ?? probesFor(options.backends);
  const memoryConfig = options.memoryConfig ?? defaultMemoryMethodConfig();
  const evolve: EvolveDefaults = options.evolve ?? { preset: DEFAULT_EVOLVE_PRESET, overrides: {} };
  const app = new Hono<ServerEnv>();
  const redact = pathRedactor({ runsDir: options.runsDir, datasetsDir: options.datasetsDir, workingDir: process.cwd() });

  app.use('*', async (context, next) => {
    const started = performance.now();
    await next();
    const matched = routePath(context, -1);
    const route = context.res.status === 404 && (matched === '*' || matched === '/v1/*') ? 'unmatched' : matched;
    metrics.recordRequest(route, context.req.method, context.res.status, (performance.now() - started) / 1000);
  });
  app.use('*', redactResponses(redact));

  app.onError((error, context) => {
    metrics.recordError(isMmevolveError(error) ? error.code : 'internal');
    return errorResponse(context, error, log);
  });
  app.notFound((context) => {
    metrics.recordError('not-found');
    const error = mmevolveError('not-found', `no route ${context.req.method} ${context.req.path}`, 'See /openapi.json for the routes this server offers.');
    return context.json(errorBody(error), 404);
  });

  app.get('/healthz', async (context) => {
    const checked = await checkHealth(probes, options.healthTimeoutMs ?? 3000, backendModels(options.backends));
    const replicas = healthReplicas(options.backends);
    const report = replicas === undefined ? checked : { ...checked, replicas };
    return sendJson(context, healthReportSchema, report, 'health', report.status === 'ok' ? 200 : 503);
  });
  const runs =
    options.runsDir === undefined
      ? undefined
      : new RunManager({
          runsDir: options.runsDir,
          datasetsDir: options.datasetsDir ?? 'datasets',
          backends: options.backends,
          memoryConfig,
          embedder,
          log,
          redact,
          ...(options.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: options.maxConcurrentRuns }),
          ...(options.sharedRuns === undefined ? {} : { shared: options.sharedRuns }),
        });
  const learning = new AnswerLearning({
    log: new AnswerLog(options.answerRetention, options.now, options.answerRows),
    backends: options.backends,
    store: options.memoryStore,
    embedder,
    memoryConfig,
    limits,
    logError: log,
  });
  const settingsDoc: RouteDoc = { method: 'get', path: '/v1/settings', summary: "The server's resolved settings (from its config file and flags via openWorkspace): model id per backend role, the default evolve preset with its resolved config, the memory method's settings.", scope: 'read' };
  const documented = [...SOLVE_ROUTE_DOCS, ...FEEDBACK_ROUTE_DOCS, ...SEGMENT_ROUTE_DOCS, settingsDoc, ...(runs === undefined ? [] : RUN_ROUTE_DOCS), ...DISTRIBUTED_RUN_ROUTE_DOCS];
  app.get('/openapi.json', (context) => context.json(openApiDocument(documented)));

  // Shared buckets (Postgres) make the limits one budget across replicas; else this process's own.
  const buckets = options.tokenBuckets ?? new MemoryTokenBuckets(options.now);
  const failures = new AuthFailureLimiter(limits.authFailures, buckets);
  const auth = authenticate({ keyStore: options.keyStore, dev: options.dev === true, failures, ...(options.addressOf === undefined ? {} : { addressOf: options.addressOf }) });
  app.get('/metrics', auth, requireScope('admin'), (context) => context.text(metrics.render() + renderReplicaMetrics(options.backends), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));

  app.use('/v1/*', auth, rateLimit(limits, buckets), limitBody(limits), fairIntake(new TenantIntake(limits), limits.intakePenaltyMs));
  app.route('/v1/memories', memoryRoutes({ store: options.memoryStore, embedder, limits }));
  app.route('/v1/segment', segmentRoutes({ backends: options.backends, limits, log, evolve }));
  app.get('/v1/settings', requireScope('read'), (context) => {
    const { preset, config } = requestEvolve(evolve, undefined, {});
    return sendJson(context, settingsResponseSchema, { models: backendModels(options.backends), evolve: { preset, config }, memory: memoryConfig }, 'settings');
  });
  if (runs !== undefined) app.route('/v1/runs', runRoutes(runs, evolve));
  app.route('/v1/distributed-runs', distributedRunRoutes(options.sharedRuns));
  app.route('/v1/solve', solveRoutes({ backends: options.backends, memoryConfig, store: options.memoryStore, embedder, limits }));
  app.route(
    '/v1',
    proxyRoutes({
      upstream: options.upstream,
      store: options.memoryStore,
      embedder,
      limits,
      memoryConfig,
      segmentation: { backends: options.backends, evolve, limits },
      learning,
      log,
    }),
  );
  app.route('/v1/feedback', feedbackRoutes(learning));

  if (options.staticDir !== undefined && existsSync(options.staticDir)) {
    app.use('/*', serveStatic({ root: options.staticDir }));
  }
  return {
    app,
    metrics,
    limits,
    runs,
    learning,
    close: async () => {
      await runs?.close();
      await learning.close();
    },
  };
}
