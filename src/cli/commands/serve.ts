/**
 * `mmevolve serve`: the HTTP API, the OpenAI-compatible proxy with memory, and the web UI (dist/web) on
 * one port. Backends come from mmevolve.config.* (optional: without it only memories work); keys from
 * `mmevolve keys`. `--dev` allows keyless loopback use and says so loudly. The config's optional `memory`
 * section sets /v1/solve's method defaults and the proxy's retrieval thresholds.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { createBackends, createOfflineEmbedder, findConfigFile, loadConfig, resolveApiKey } from '../../backends/index.js';
import type { Backends } from '../../backends/index.js';
import type { Embedder } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_MEMORY_DB_PATH, openMemoryStore, parseMemoryMethodConfig } from '../../memory/index.js';
import type { MemoryMethodConfig, SqliteMemoryStore } from '../../memory/index.js';
import { DEFAULT_KEYS_DB_PATH, DEFAULT_LIMITS, createServerApp, createServerMetrics, openApiKeyStore, probesFor, startServer, workspaceEmbedder } from '../../server/index.js';
import type { ServerLimits, UpstreamOptions } from '../../server/index.js';

interface ServeOptions {
  port: number;
  host: string;
  config?: string;
  db: string;
  keysDb: string;
  runsDir: string;
  datasetsDir: string;
  static: string;
  dev?: boolean;
  maxBodyMb: number;
  maxImageMegapixels: number;
  maxQueryLength: number;
  rateBurst: number;
  ratePerSecond: number;
  imageUrls: ServerLimits['imageUrls'];
}

/** How long SIGTERM / SIGINT may take before the process exits regardless. */
const SHUTDOWN_DEADLINE_MS = 10_000;

function positiveNumber(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw mmevolveError('invalid-input', `${name} must be a positive number, got "${value}"`, `e.g. ${name} 10`);
    return parsed;
  };
}

function port(value: string): number {
  if (!/^\d+$/u.test(value) || Number(value) > 65_535) throw mmevolveError('invalid-input', `--port must be 0–65535, got "${value}"`, 'e.g. --port 8080 (0 picks a free port)');
  return Number(value);
}

/** Opens the memory workspace, creating it for the configured embedder (or the offline one) when new. */
async function openWorkspace(path: string, embedder: Embedder | undefined): Promise<SqliteMemoryStore> {
  if (existsSync(path)) return openMemoryStore({ path });
  const chosen = embedder ?? createOfflineEmbedder();
  const [probe] = await chosen.embedTexts(['dimension probe']);
  if (probe === undefined) throw mmevolveError('backend-http', 'the embedder returned no vector', 'check backends.embedder');
  return openMemoryStore({ path, dimensions: probe.length, embeddingModel: chosen.model });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API (/v1/…), the OpenAI-compatible proxy with memory, /healthz, /metrics, /openapi.json and the web UI.')
    .option('--port <port>', 'port to listen on (0 = a free port)', port, 8080)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--config <file>', 'backends config (default: mmevolve.config.* in the current directory, if any)')
    .option('--db <path>', 'memory database of the workspace', DEFAULT_MEMORY_DB_PATH)
    .option('--keys-db <path>', 'API key database', DEFAULT_KEYS_DB_PATH)
    .option('--runs-dir <dir>', 'where evaluation runs keep their state', '.mmevolve/runs')
    .option('--datasets-dir <dir>', 'ReasonSeg folders that POST /v1/runs may evaluate (by name inside this folder)', 'datasets')
    .option('--static <dir>', 'built web UI served at /', 'dist/web')
    .option('--dev', 'allow keyless requests from loopback as tenant "dev" (development only)')
    .option('--max-body-mb <n>', 'largest request body in MiB', positiveNumber('--max-body-mb'), DEFAULT_LIMITS.maxBodyBytes / 1024 / 1024)
    .option('--max-image-megapixels <n>', 'largest image (width × height, from its header)', positiveNumber('--max-image-megapixels'), DEFAULT_LIMITS.maxImagePixels / 1e6)
    .option('--max-query-length <n>', 'longest query or question in characters', positiveNumber('--max-query-length'), DEFAULT_LIMITS.maxQueryLength)
    .option('--rate-burst <n>', 'requests a key may send at once', positiveNumber('--rate-burst'), DEFAULT_LIMITS.rateLimit.burst)
    .option('--rate-per-second <n>', 'sustained requests per second per key', positiveNumber('--rate-per-second'), DEFAULT_LIMITS.rateLimit.perSecond)
    .addOption(
      new Option('--image-urls <policy>', 'fetch http(s) image URLs sent in request bodies: off, public hosts only, or any host (e.g. a LAN)')
        .choices(['off', 'public', 'any'])
        .default(DEFAULT_LIMITS.imageUrls),
    )
    .action(async (options: ServeOptions) => {
      const metrics = createServerMetrics();
      const configPath = options.config ?? findConfigFile();
      let backends: Backends | undefined;
      let upstream: UpstreamOptions | undefined;
      let segmenterURL: string | undefined;
      let memoryConfig: MemoryMethodConfig | undefined;
      if (configPath !== undefined) {
        const { config, path } = await loadConfig(configPath);
        memoryConfig = parseMemoryMethodConfig((config as Record<string, unknown>)['memory'] ?? {}, `${path}: memory`);
        backends = createBackends(config, { directory: dirname(path), onCall: metrics.recordCall });
        const mllm = config.backends.mllm;
        if (mllm !== undefined) upstream = { baseURL: mllm.baseURL, apiKey: resolveApiKey(mllm, 'mllm') };
        segmenterURL = config.backends.segmenter?.baseURL;
      }
      const memoryStore = await openWorkspace(options.db, backends?.embedder);
      const keyStore = openApiKeyStore(options.keysDb);
      const limits: Partial<ServerLimits> = {
        maxBodyBytes: Math.round(options.maxBodyMb * 1024 * 1024),
        maxImagePixels: Math.round(options.maxImageMegapixels * 1e6),
        maxQueryLength: Math.round(options.maxQueryLength),
        rateLimit: { burst: options.rateBurst, perSecond: options.ratePerSecond },
        imageUrls: options.imageUrls,
      };
      const staticDir = resolve(options.static);
      const served = createServerApp({
        keyStore,
        memoryStore,
        ...(backends === undefined ? {} : { backends }),
        ...(upstream === undefined ? {} : { upstream }),
        ...(memoryConfig === undefined ? {} : { memoryConfig }),
        runsDir: resolve(options.runsDir),
        datasetsDir: resolve(options.datasetsDir),
        limits,
        dev: options.dev === true,
        metrics,
        health: probesFor(backends, segmenterURL),
        staticDir,
      });
      const server = await startServer({ app: served.app, port: options.port, host: options.host, dev: options.dev === true });
      const resumed = (await served.runs?.recover()) ?? [];
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      if (options.dev === true) {
        process.stderr.write(`\n  !!! DEV MODE: requests WITHOUT an API key from loopback are accepted as tenant "dev" with every scope.\n  !!! Never use --dev on a shared machine or behind a proxy.\n\n`);
      }
      out(`mmevolve serve listening on ${server.url}`);
      out(`  API: ${server.url}/v1 (OpenAPI at ${server.url}/openapi.json), health ${server.url}/healthz, metrics ${server.url}/metrics`);
      out(`  backends: ${configPath === undefined ? 'none (no mmevolve.config.*; only /v1/memories works)' : `from ${configPath}`}; memory ${options.db} (${memoryStore.embeddingModel}); keys ${options.keysDb}`);
      if (workspaceEmbedder(memoryStore, backends?.embedder) === undefined) {
        process.stderr.write(`warning: the memory workspace ${options.db} embeds with ${memoryStore.embeddingModel}, which no configured embedder provides: lesson search and writes answer 503 and the proxy forwards without lessons until backends.embedder matches\n`);
      }
      out(`  web UI: ${existsSync(staticDir) ? `${server.url}/` : `not built (${staticDir} missing)`}`);
      out(`  runs: ${resolve(options.runsDir)} (datasets from ${resolve(options.datasetsDir)})${resumed.length === 0 ? '' : `; resumed ${resumed.length} interrupted run(s): ${resumed.join(', ')}`}`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      // Bounded: closing the connections aborts every in-flight request's AbortSignal (segmentation, decode
      // waits, upstream calls) and runs are aborted; whatever still holds the process after the deadline
      // (a stuck native call) does not keep it alive.
      const deadline = setTimeout(() => {
        process.stderr.write(`mmevolve serve: still stopping after ${SHUTDOWN_DEADLINE_MS} ms; exiting now\n`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      // Runs in flight stay recorded as running: the next `mmevolve serve` resumes them.
      await Promise.all([served.close(), server.close()]);
      backends?.close();
      keyStore.close();
      await memoryStore.close();
      clearTimeout(deadline);
      process.stderr.write('mmevolve serve stopped\n');
    });
}
