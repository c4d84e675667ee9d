/**
 * The stack a browser test drives, all in this process on 127.0.0.1 free ports: the three SIMULATED
 * servers, the backends pointed at them, and the server app (dev mode by default: keyless loopback) serving the
 * freshly built UI from dist/web.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, createBackends } from '../../src/backends/index.js';
import type { Backends } from '../../src/backends/index.js';
import { openMemoryStore } from '../../src/memory/index.js';
import type { SqliteMemoryStore } from '../../src/memory/index.js';
import { ApiKeyStore, createServerApp, probesFor, startServer } from '../../src/server/index.js';
import type { RunningServer, SharedRuns } from '../../src/server/index.js';
import { SIM_EMBEDDING_MODEL, resolveSimConfig, startSimStack } from '../../src/sim/index.js';
import type { SimStack } from '../../src/sim/index.js';
import { ensureWebBuild } from '../../src/web/build-web.js';

export interface TestStack {
  url: string;
  sims: SimStack;
  backends: Backends;
  memoryStore: SqliteMemoryStore;
  keyStore: ApiKeyStore;
  runsDir: string;
  /** Errors the server logged (500s): tests print them when a flow fails. */
  serverErrors: string[];
  close(): Promise<void>;
}

/** latencyMs: the simulated MLLM's median answer time, so progress arrives over time as with a real model. */
export async function startTestStack(options: { runsDir?: string; datasetsDir?: string; latencyMs?: number; dev?: boolean; sharedRuns?: SharedRuns } = {}): Promise<TestStack> {
  const { dir: staticDir } = await ensureWebBuild();
  const sims = await startSimStack({ config: resolveSimConfig({ preset: 'oracle', noise: { latency: { medianMs: options.latencyMs ?? 0, sigma: 0 } } }) });
  const config = configSchema.parse({
    backends: {
      mllm: { baseURL: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: sims.segmenter.url },
      embedder: { kind: 'openai', baseURL: `${sims.embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  });
  const backends = createBackends(config);
  const [probe] = (await backends.embedder?.embedTexts(['dimension probe'])) ?? [];
  const memoryStore = openMemoryStore({ path: ':memory:', dimensions: probe?.length ?? 256, embeddingModel: SIM_EMBEDDING_MODEL });
  const keyStore = new ApiKeyStore(':memory:');
  const serverErrors: string[] = [];
  const runsDir = options.runsDir ?? (await mkdtemp(join(tmpdir(), 'mmevolve-browser-runs-')));
  const serverApp = createServerApp({
    keyStore,
    memoryStore,
    backends,
    upstream: { baseURL: `${sims.mllm.url}/v1` },
    runsDir,
    ...(options.datasetsDir === undefined ? {} : { datasetsDir: options.datasetsDir }),
    ...(options.sharedRuns === undefined ? {} : { sharedRuns: options.sharedRuns }),
    dev: options.dev ?? true,
    health: probesFor(backends, sims.segmenter.url),
    staticDir,
    log: (message, error) => serverErrors.push(`${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
  let server: RunningServer;
  try {
    server = await startServer({ app: serverApp.app, port: 0, host: '127.0.0.1', dev: options.dev ?? true });
  } catch (error) {
    await sims.close();
    throw error;
  }
  return {
    url: server.url,
    sims,
    backends,
    memoryStore,
    keyStore,
    runsDir,
    serverErrors,
    async close() {
      await server.close();
      await serverApp.close();
      backends.close();
      keyStore.close();
      await memoryStore.close();
      await sims.close();
      if (options.runsDir === undefined) await rm(runsDir, { recursive: true, force: true });
    },
  };
}
