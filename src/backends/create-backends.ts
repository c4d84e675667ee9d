/**
 * Build the configured backends. The judge defaults to the mllm backend; a missing embedder stays missing
 * (callers opt into the offline fallback explicitly, and say so in their output).
 */
import { resolve } from 'node:path';
import type { CallRecord, Embedder, MllmClient, Segmenter } from '../core/index.js';
import { resolveApiKey } from './config.js';
import type { BackendRole, MllmBackendConfig, MmevolveConfig } from './config.js';
import { createOfflineEmbedder, createOpenAIEmbedder } from './embedders.js';
import { createOpenAICompatibleClient } from './openai-client.js';
import { detectProfile, genericProfile, getProfile } from '../protocols/index.js';
import type { ModelProfile } from '../protocols/index.js';
import { createReplicaPool } from './replica-pool.js';
import type { ReplicaPool, ReplicaState } from './replica-pool.js';
import { createResponseCache } from './response-cache.js';
import type { ResponseCache } from './response-cache.js';
import { createSam3Segmenter } from './sam3-segmenter.js';

export interface CreateBackendsOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** false disables the response cache (`--no-cache`). */
  cache?: boolean;
  /** Directory the cache path is relative to (the config file's directory by default: process.cwd()). */
  directory?: string;
  onCall?: (record: CallRecord) => void;
}

export interface Backends {
  mllm?: MllmClient;
  judge?: MllmClient;
  segmenter?: Segmenter;
  embedder?: Embedder;
  cache?: ResponseCache;
  /**
   * The state of each model replica of the backends that list `replicas`, by role (a judge that is the
   * mllm client appears once, as mllm); empty when no backend has replicas (absent on hand-built Backends). Read by serve's /healthz and /metrics.
   */
  replicas?(): Partial<Record<BackendRole, ReplicaState[]>>;
  close(): void;
}

/**
 * The fetch a backend's client sends with: the caller's, or, when the backend lists `replicas`, a pool
 * spreading requests over baseURL and the replicas (probing an ejected one at `probePath`).
 */
function fetchFor(backend: { baseURL: string; replicas?: string[] | undefined }, probePath: string, options: CreateBackendsOptions, pools: Map<BackendRole, ReplicaPool>, role: BackendRole): typeof fetch | undefined {
  if (backend.replicas === undefined) return options.fetch;
  const pool = createReplicaPool({ baseURLs: [backend.baseURL, ...backend.replicas], probePath, fetch: options.fetch });
  pools.set(role, pool);
  return pool.fetch;
}

/** 'auto' → detected from the model id, else generic; otherwise the named profile. */
export function profileFor(backend: Pick<MllmBackendConfig, 'profile' | 'model'>): ModelProfile {
  if (backend.profile === 'auto') return detectProfile(backend.model) ?? genericProfile;
  return getProfile(backend.profile);
}

function mllmClient(backend: MllmBackendConfig, role: 'mllm' | 'judge', options: CreateBackendsOptions, cache: ResponseCache | undefined, pools: Map<BackendRole, ReplicaPool>): MllmClient {
  return createOpenAICompatibleClient({
    baseURL: backend.baseURL,
    apiKey: resolveApiKey(backend, role, options.env, true),
    model: backend.model,
    profile: profileFor(backend),
    fetch: fetchFor(backend, '/models', options, pools, role),
    timeoutMs: backend.timeoutMs,
    maxRetries: backend.maxRetries,
    concurrency: backend.concurrency,
    requestsPerMinute: backend.requestsPerMinute,
    cache,
    supportsJsonSchema: backend.supportsJsonSchema,
    image: {
      ...(backend.image?.format === undefined ? {} : { format: backend.image.format }),
      ...(backend.image?.quality === undefined ? {} : { quality: backend.image.quality }),
      ...(backend.image?.resizeToProfile === undefined ? {} : { resizeToProfile: backend.image.resizeToProfile }),
    },
    name: role,
    onCall: options.onCall,
  });
}

export function createBackends(config: MmevolveConfig, options: CreateBackendsOptions = {}): Backends {
  const { backends } = config;
  const cache =
    options.cache !== false && config.cache.enabled && (backends.mllm !== undefined || backends.judge !== undefined)
      ? createResponseCache(config.cache.path === ':memory:' ? ':memory:' : resolve(options.directory ?? process.cwd(), config.cache.path))
      : undefined;
  const pools = new Map<BackendRole, ReplicaPool>();
  const result: Backends = {
    close: () => cache?.close(),
    replicas: () => Object.fromEntries([...pools].map(([role, pool]) => [role, pool.replicas()])),
  };
  if (cache !== undefined) result.cache = cache;
  if (backends.mllm !== undefined) result.mllm = mllmClient(backends.mllm, 'mllm', options, cache, pools);
  if (backends.judge !== undefined) result.judge = mllmClient(backends.judge, 'judge', options, cache, pools);
  else if (result.mllm !== undefined) result.judge = result.mllm;
  const segmenter = backends.segmenter;
  if (segmenter !== undefined) {
    result.segmenter = createSam3Segmenter({
      baseURL: segmenter.baseURL,
      apiKey: resolveApiKey(segmenter, 'segmenter', options.env),
      apiKeyIn: segmenter.apiKeyIn,
      fetch: fetchFor(segmenter, '', options, pools, 'segmenter'),
      timeoutMs: segmenter.timeoutMs,
      maxRetries: segmenter.maxRetries,
      concurrency: segmenter.concurrency,
      format: segmenter.format,
      modelId: segmenter.modelId,
      maxPromptsPerRequest: segmenter.maxPromptsPerRequest,
      onCall: options.onCall,
    });
  }
  const embedder = backends.embedder;
  if (embedder?.kind === 'offline') result.embedder = createOfflineEmbedder(embedder.dimensions);
  else if (embedder !== undefined) {
    result.embedder = createOpenAIEmbedder({
      baseURL: embedder.baseURL,
      apiKey: resolveApiKey(embedder, 'embedder', options.env, true),
      model: embedder.model,
      fetch: fetchFor(embedder, '/models', options, pools, 'embedder'),
      timeoutMs: embedder.timeoutMs,
      maxRetries: embedder.maxRetries,
      concurrency: embedder.concurrency,
      batchSize: embedder.batchSize,
      imageInput: embedder.imageInput,
      vectorKind: embedder.vectorKind,
      onCall: options.onCall,
    });
  }
  return result;
}
