/**
 * openWorkspace: the one place the app is wired. The CLI commands, the server and its jobs, the demo, the
 * examples and the library open a workspace from one config and read backends, the lesson store, the
 * embedder and the resolved evolve / memory settings from it, so the same file gives the same behaviour
 * on every surface.
 */
import { resolve } from 'node:path';
import { createBackends, createOfflineEmbedder } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import type { CallRecord, Embedder, MemoryStore, MllmClient } from '../core/index.js';
import { deepMerge, isPlainRecord, mmevolveError } from '../core/index.js';
import { methodNeedsMllm, resolveEvolveConfig } from '../evolve/index.js';
import type { EvolveConfig, EvolvePresetName, SegmentationBackends, SegmentationMethod } from '../evolve/index.js';
import { parseMemoryMethodConfig, redactPostgresUrl } from '../memory/index.js';
import type { MemoryMethodConfig } from '../memory/index.js';
import { findConfigFile, parseAppConfig, readConfigFile } from './config.js';
import type { AppConfig, StoreConfig } from './config.js';
import { openConfiguredLessonStore } from './lesson-store.js';
import { applyModelFlags, hasModelFlags } from './model-flags.js';
import type { ModelFlags } from './model-flags.js';

export interface ConfigSources {
  /** A config file; without it the first mmevolve.config.* in `directory`, if any. */
  configPath?: string | undefined;
  flags?: ModelFlags;
  directory?: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** The config from a file (if any) with flags and environment applied, validated. No file is fine. */
export async function loadWorkspaceConfig(sources: ConfigSources = {}): Promise<AppConfig> {
  const directory = sources.directory ?? process.cwd();
  const file = sources.configPath === undefined ? findConfigFile(directory) : resolve(directory, sources.configPath);
  const raw = file === undefined ? {} : await readConfigFile(file);
  const flags = sources.flags ?? {};
  const applied = await applyModelFlags(raw, flags, sources.env ?? process.env, sources.fetch ?? fetch);
  const source = [file, hasModelFlags(flags) ? 'command-line flags' : undefined].filter((part) => part !== undefined).join(' + ') || 'defaults (no mmevolve.config.*, no flags)';
  return parseAppConfig(applied, source, file === undefined ? directory : resolve(file, '..'));
}

export interface OpenWorkspaceOptions {
  /** false bypasses the response cache (`--no-cache`). */
  cache?: boolean;
  /** A SQLite lesson store at this path instead of the config's `store` (e.g. `--db`). */
  storePath?: string | undefined;
  /**
   * A new lesson store without a configured embedder is made for the built-in offline embedder (the
   * server: memories work without an embedding server). Off by default: the memory method never picks it silently.
   */
  offlineStoreWithoutEmbedder?: boolean;
  onCall?: (record: CallRecord) => void;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

export interface ResolvedEvolve {
  preset: EvolvePresetName;
  config: EvolveConfig;
}

export interface Workspace {
  readonly config: AppConfig;
  readonly backends: Backends;
  /** The configured embedder (none unless backends.embedder or --embedder-url). */
  readonly embedder: Embedder | undefined;
  /** Where lessons live, for messages: a SQLite path (absolute, or ':memory:') or a Postgres URL without its password. */
  readonly storePath: string;
  /** The store section in effect (a SQLite path resolved against the config's directory, or --db). */
  readonly storeConfig: StoreConfig;
  /** The evolve settings: the preset (argument, else the file's, else the default) + the file's overrides + `overrides`. */
  evolve(preset?: EvolvePresetName, overrides?: Record<string, unknown>): ResolvedEvolve;
  /** The memory method settings: the file's `memory` section + `overrides`. */
  memory(overrides?: Record<string, unknown>): MemoryMethodConfig;
  /** The MLLM, or an error that says how to configure one. */
  requireMllm(): MllmClient;
  /** Segmenter, MLLM (unless `method` needs none: concept-only) and judge, or an error that says how to configure them. */
  segmentation(method?: SegmentationMethod): SegmentationBackends;
  /** The workspace's lesson store, opened on first use (created for the embedder when new), then shared. */
  store(): Promise<MemoryStore>;
  close(): Promise<void>;
}

function configHint(config: AppConfig, flags: string, key: string): string {
  return `Pass ${flags}, or add ${key} to mmevolve.config.* (\`mmevolve init\` writes one); settings now come from ${config.source}. \`mmevolve sim serve-mllm\` / \`serve-segmenter\` / \`serve-embeddings\` start SIMULATED servers.`;
}

/** Opens the backends (and, on first use, the lesson store) of one config. */
export function openWorkspace(config: AppConfig, options: OpenWorkspaceOptions = {}): Workspace {
  const backends = createBackends(config, {
    directory: config.directory,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.onCall === undefined ? {} : { onCall: options.onCall }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const storeConfig: StoreConfig =
    options.storePath !== undefined
      ? { kind: 'sqlite', path: options.storePath === ':memory:' ? ':memory:' : resolve(options.storePath) }
      : config.store.kind === 'sqlite'
        ? { kind: 'sqlite', path: config.store.path === ':memory:' ? ':memory:' : resolve(config.directory, config.store.path) }
        : config.store;
  const storePath = storeConfig.kind === 'sqlite' ? storeConfig.path : `${redactPostgresUrl(storeConfig.url)} (schema ${storeConfig.schema})`;
  let opened: Promise<MemoryStore> | undefined;

  const requireMllm = (): MllmClient => {
    if (backends.mllm === undefined) throw mmevolveError('backend-not-configured', 'no MLLM is configured', configHint(config, '--base-url URL --model NAME', 'backends.mllm'));
    return backends.mllm;
  };

  return {
    config,
    backends,
    embedder: backends.embedder,
    storePath,
    storeConfig,
    evolve(preset, overrides = {}) {
      const chosen = preset ?? config.evolve.preset;
      if (!isPlainRecord(overrides)) throw mmevolveError('config-invalid', 'evolve overrides must be an object', 'Send an object such as {"populationSize": 4}.');
      return { preset: chosen, config: resolveEvolveConfig(chosen, deepMerge(config.evolve.overrides, overrides), `${config.source}: evolve`) };
    },
    memory(overrides = {}) {
      return Object.keys(overrides).length === 0 ? config.memory : parseMemoryMethodConfig(deepMerge(config.memory, overrides), 'memory config');
    },
    requireMllm,
    segmentation(method) {
      const mllm = method === undefined || methodNeedsMllm(method) ? requireMllm() : backends.mllm;
      if (backends.segmenter === undefined) throw mmevolveError('backend-not-configured', 'no segmenter is configured', configHint(config, '--segmenter-url URL (a SAM 3 server)', 'backends.segmenter'));
      return { mllm, segmenter: backends.segmenter, ...(backends.judge === undefined ? {} : { judge: backends.judge }) };
    },
    store() {
      opened ??= openConfiguredLessonStore(storeConfig, backends.embedder ?? (options.offlineStoreWithoutEmbedder === true ? createOfflineEmbedder() : undefined));
      return opened;
    },
    async close() {
      const store = opened === undefined ? undefined : await opened.catch(() => undefined);
      await store?.close();
      backends.close();
    },
  };
}
