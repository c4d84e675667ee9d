/**
 * `mmevolve serve`: the HTTP API, the OpenAI-compatible proxy with memory, and the web UI on one port. The
 * workspace (backends, lesson store, evolve and memory settings) comes from openWorkspace: the config file
 * (optional: without backends only memories work) and/or the model flags; keys from `mmevolve keys`.
 * `--dev` allows keyless loopback use and says so loudly. The web UI is the package's own build (made on
 * first use when missing), wherever the command runs from.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { resolveApiKey } from '../../backends/index.js';
import { isMmevolveError, mmevolveError } from '../../core/index.js';
import { DEFAULT_MEMORY_DB_PATH } from '../../memory/index.js';
import { DEFAULT_KEYS_DB_PATH, DEFAULT_LIMITS, createServerApp, createServerMetrics, openServerState, probesFor, serverOptionsFromWorkspace, startServer, workspaceEmbedder } from '../../server/index.js';
import type { ServerLimits, UpstreamOptions } from '../../server/index.js';
import { WEB_DIST_DIR, ensureWebBuild } from '../../web/build-web.js';
import { PgRunDatabase } from '../../eval/index.js';
import { SharedRuns } from '../../server/index.js';
import { postgresUrl } from './eval-queued.js';
import { runsDatabaseUrl } from './serve-runs-db.js';
import { addWorkspaceOptions, openCommandWorkspace } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

interface ServeOptions extends WorkspaceCommandOptions {
  port?: number;
  host?: string;
  db?: string;
  keysDb?: string;
  runsDir?: string;
  /** Postgres shared by serve replicas for runs (runs/shared-runs.ts). */
  runsDb?: string;
  datasetsDir?: string;
  static?: string;
  dev?: boolean;
  labelFree?: boolean;
  maxBodyMb?: number;
  maxImageMegapixels?: number;
  maxQueryLength?: number;
  rateBurst?: number;
  ratePerSecond?: number;
  imageUrls?: ServerLimits['imageUrls'];
}

/**
 * The built UI: --static / server.webDir as given, else the package's dist/web (found from this file, not
 * the working directory), built now when missing or stale. `distDir` is for tests.
 */
export async function webDirectory(configured: string | undefined, say: (line: string) => void, distDir: string = WEB_DIST_DIR): Promise<{ dir: string; note: string }> {
  if (configured !== undefined) {
    const dir = resolve(configured);
    return { dir, note: existsSync(dir) ? '' : ` (not built: ${dir} missing)` };
  }
  try {
    if (!existsSync(distDir)) say(`web UI: ${distDir} is missing; building it now (vite, a few seconds)…`);
    const { dir, built } = await ensureWebBuild({ distDir });
    return { dir, note: built ? ' (built just now)' : '' };
  } catch (error) {
    if (!isMmevolveError(error)) throw error;
    say(`warning [${error.code}]: ${error.message}\n  hint: ${error.hint}`);
    return { dir: distDir, note: existsSync(distDir) ? ' (stale: rebuilding failed)' : ' (not built: building failed, see the warning above; `npm run build:web` builds it)' };
  }
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

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('Serve the HTTP API (/v1/…), the OpenAI-compatible proxy with memory, /healthz, /metrics, /openapi.json and the web UI. Every setting below also reads from the config\'s server section; flags win.')
    .option('--port <port>', 'port to listen on (0 = a free port; default 8080)', port)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--db <path>', `memory database of the workspace (default: the config's store.path, else ${DEFAULT_MEMORY_DB_PATH})`)
    .option('--keys-db <path>', `API key database (default ${DEFAULT_KEYS_DB_PATH})`)
    .option('--runs-dir <dir>', 'where evaluation runs keep their state (default .mmevolve/runs)')
    .option('--runs-db <postgres-url>', 'keep runs in this Postgres, shared by every serve started with the same URL (replicas behind one address); default: the store\'s Postgres when store.kind is postgres; --runs-dir then only holds local scratch', (value: string) => postgresUrl('--runs-db', value))
    .option('--datasets-dir <dir>', 'ReasonSeg folders that POST /v1/runs may evaluate, by name inside this folder (default datasets)')
    .option('--static <dir>', "built web UI served at / (default: the package's dist/web, built on first use)")
    .option('--label-free', 'memory.labelFree: the model checks each proxied or /v1/solve answer that has no gold answer and writes lessons when its check finds it wrong')
    .option('--dev', 'allow keyless requests from loopback as tenant "dev" (development only)')
    .option('--max-body-mb <n>', `largest request body in MiB (default ${DEFAULT_LIMITS.maxBodyBytes / 1024 / 1024})`, positiveNumber('--max-body-mb'))
    .option('--max-image-megapixels <n>', `largest image, width × height from its header (default ${DEFAULT_LIMITS.maxImagePixels / 1e6})`, positiveNumber('--max-image-megapixels'))
    .option('--max-query-length <n>', `longest query or question in characters (default ${DEFAULT_LIMITS.maxQueryLength})`, positiveNumber('--max-query-length'))
    .option('--rate-burst <n>', `requests a key may send at once (default ${DEFAULT_LIMITS.rateLimit.burst})`, positiveNumber('--rate-burst'))
    .option('--rate-per-second <n>', `sustained requests per second per key (default ${DEFAULT_LIMITS.rateLimit.perSecond})`, positiveNumber('--rate-per-second'))
    .addOption(new Option('--image-urls <policy>', `fetch http(s) image URLs sent in request bodies: off, public hosts only, or any host (e.g. a LAN); default ${DEFAULT_LIMITS.imageUrls}`).choices(['off', 'public', 'any']));
  addWorkspaceOptions(command).action(async (options: ServeOptions) => {
      const metrics = createServerMetrics();
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      const workspace = await openCommandWorkspace(options, { storePath: options.db, onCall: metrics.recordCall, offlineStoreWithoutEmbedder: true });
      const { config, backends } = workspace;
      const settings = config.server;
      const mllm = config.backends.mllm;
      const upstream: UpstreamOptions | undefined = backends.mllm === undefined || mllm === undefined ? undefined : { baseURL: mllm.baseURL, apiKey: resolveApiKey(mllm, 'mllm', process.env, true) };
      const fromWorkspace = await serverOptionsFromWorkspace(workspace);
      const memoryStore = fromWorkspace.memoryStore;
      // With store.kind postgres, keys and limit buckets are shared by every replica (unless a key file is named).
      const state = await openServerState(workspace.storeConfig, options.keysDb ?? settings.keysDb);
      const { keyStore } = state;
      const keysDb = keyStore.path;
      const dev = options.dev === true;
      const limits: Partial<ServerLimits> = {
        maxBodyBytes: Math.round((options.maxBodyMb ?? settings.maxBodyMb ?? DEFAULT_LIMITS.maxBodyBytes / 1024 / 1024) * 1024 * 1024),
        maxImagePixels: Math.round((options.maxImageMegapixels ?? settings.maxImageMegapixels ?? DEFAULT_LIMITS.maxImagePixels / 1e6) * 1e6),
        maxQueryLength: Math.round(options.maxQueryLength ?? settings.maxQueryLength ?? DEFAULT_LIMITS.maxQueryLength),
        rateLimit: { burst: options.rateBurst ?? settings.rateBurst ?? DEFAULT_LIMITS.rateLimit.burst, perSecond: options.ratePerSecond ?? settings.ratePerSecond ?? DEFAULT_LIMITS.rateLimit.perSecond },
        imageUrls: options.imageUrls ?? settings.imageUrls ?? DEFAULT_LIMITS.imageUrls,
      };
      const runsDir = resolve(options.runsDir ?? settings.runsDir ?? '.mmevolve/runs');
      const datasetsDir = resolve(options.datasetsDir ?? settings.datasetsDir ?? 'datasets');
      const web = await webDirectory(options.static ?? settings.webDir, (line) => void process.stderr.write(`${line}\n`));
      const runsDb = runsDatabaseUrl(options.runsDb, workspace.storeConfig);
      const runsDatabase = runsDb === undefined ? undefined : await PgRunDatabase.connect(runsDb.url, { worker: `serve:${process.pid}` });
      const sharedRuns = runsDatabase === undefined ? undefined : await SharedRuns.open(runsDatabase, `serve:${process.env.HOSTNAME ?? 'host'}:${process.pid}`);
      const served = createServerApp({
        ...(sharedRuns === undefined ? {} : { sharedRuns }),
        keyStore,
        answerRows: state.answerRows,
        ...(state.tokenBuckets === undefined ? {} : { tokenBuckets: state.tokenBuckets }),
        ...fromWorkspace,
        ...(options.labelFree === true && fromWorkspace.memoryConfig !== undefined ? { memoryConfig: { ...fromWorkspace.memoryConfig, labelFree: true } } : {}),
        ...(upstream === undefined ? {} : { upstream }),
        runsDir,
        datasetsDir,
        limits,
        dev,
        metrics,
        health: probesFor(backends, config.backends.segmenter?.baseURL),
        staticDir: web.dir,
      });
      const server = await startServer({ app: served.app, port: options.port ?? settings.port ?? 8080, host: options.host ?? settings.host ?? '127.0.0.1', dev });
      const resumed = (await served.runs?.recover()) ?? [];
      if (dev) {
        process.stderr.write(`\n  !!! DEV MODE: requests WITHOUT an API key from loopback are accepted as tenant "dev" with every scope.\n  !!! Never use --dev on a shared machine or behind a proxy.\n\n`);
      }
      out(`mmevolve serve listening on ${server.url}`);
      out(`  API: ${server.url}/v1 (OpenAPI at ${server.url}/openapi.json), health ${server.url}/healthz, metrics ${server.url}/metrics`);
      const roles = Object.entries({ mllm: backends.mllm, segmenter: backends.segmenter, embedder: backends.embedder }).filter(([, backend]) => backend !== undefined).map(([role]) => role);
      out(`  backends: ${roles.length === 0 ? 'none (only /v1/memories works)' : roles.join(', ')} from ${config.source}; evolve preset ${config.evolve.preset}; memory ${workspace.storePath} (${memoryStore.embeddingModel}); keys ${keysDb}`);
      if (workspaceEmbedder(memoryStore, backends.embedder) === undefined) {
        process.stderr.write(`warning: the memory workspace ${workspace.storePath} embeds with ${memoryStore.embeddingModel}, which no configured embedder provides: lesson search and writes answer 503 and the proxy forwards without lessons until backends.embedder matches\n`);
      }
      out(`  web UI: ${existsSync(web.dir) ? `${server.url}/ from ${web.dir}${web.note}` : `not served${web.note}`}`);
      out(`  runs: ${sharedRuns === undefined ? runsDir : `Postgres (${runsDb?.from === 'store' ? "the store's, store.kind postgres" : '--runs-db'}; shared with other replicas)`} (datasets from ${datasetsDir})${resumed.length === 0 ? '' : `; resumed ${resumed.length} interrupted run(s): ${resumed.join(', ')}`}`);
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
      await runsDatabase?.close();
      await state.close();
      await workspace.close();
      clearTimeout(deadline);
      process.stderr.write('mmevolve serve stopped\n');
    });
}
