/**
 * mmevolve.config.json / .yaml: named backends (mllm, judge, segmenter, embedder) and the response cache.
 * Secrets come from the environment (MMEVOLVE_API_KEY or a per-backend `apiKeyEnv`), never from the file.
 * Validation errors name the path of the bad field ("backends.judge.baseURL: …").
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MmevolveError, mmevolveError } from '../core/index.js';

export const CONFIG_FILE_NAMES = ['mmevolve.config.json', 'mmevolve.config.yaml', 'mmevolve.config.yml'] as const;
export const DEFAULT_API_KEY_ENV = 'MMEVOLVE_API_KEY';
export const DEFAULT_CACHE_PATH = '.mmevolve/cache.sqlite';

const url = z.url({ protocol: /^https?$/ });
const connection = {
  baseURL: url,
  /** Name of the environment variable holding this backend's key; MMEVOLVE_API_KEY when absent. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  concurrency: z.number().int().positive().optional(),
  requestsPerMinute: z.number().positive().optional(),
};

export const mllmBackendSchema = z.strictObject({
  kind: z.literal('openai').default('openai'),
  ...connection,
  model: z.string().min(1),
  /** 'auto' detects the profile from the model id (Qwen2.5-VL, Qwen3-VL, InternVL3.5), else generic. */
  profile: z.string().min(1).default('auto'),
  supportsJsonSchema: z.boolean().default(true),
  image: z
    .strictObject({
      format: z.enum(['jpeg', 'png']).optional(),
      quality: z.number().int().min(1).max(100).optional(),
      resizeToProfile: z.boolean().optional(),
    })
    .optional(),
});

export const segmenterBackendSchema = z.strictObject({
  kind: z.literal('sam3').default('sam3'),
  ...connection,
  format: z.enum(['rle', 'polygon']).default('rle'),
  modelId: z.string().min(1).optional(),
  /** Prompts per /sam3/concept_segment request; the server refuses more than its SAM3_MAX_PROMPT_BATCH_SIZE (default 16). */
  maxPromptsPerRequest: z.number().int().min(1).default(16),
  apiKeyIn: z.enum(['query', 'bearer']).default('query'),
});

export const embedderBackendSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('openai'),
    ...connection,
    model: z.string().min(1),
    batchSize: z.number().int().positive().optional(),
    imageInput: z.enum(['data-url', 'messages']).optional(),
    /** Declare 'lexical-perceptual' when the server serves non-semantic vectors (mmevolve sim serve-embeddings). */
    vectorKind: z.enum(['semantic', 'lexical-perceptual']).default('semantic'),
  }),
  /** Explicit opt-in to the lexical/perceptual fallback (never chosen silently). */
  z.strictObject({ kind: z.literal('offline'), dimensions: z.number().int().positive().default(256) }),
]);

export const configSchema = z.looseObject({
  backends: z.strictObject({
    mllm: mllmBackendSchema.optional(),
    /** Defaults to the mllm backend when absent. */
    judge: mllmBackendSchema.optional(),
    segmenter: segmenterBackendSchema.optional(),
    embedder: embedderBackendSchema.optional(),
  }),
  cache: z
    .strictObject({ enabled: z.boolean().default(true), path: z.string().min(1).default(DEFAULT_CACHE_PATH) })
    .default({ enabled: true, path: DEFAULT_CACHE_PATH }),
});

export type MmevolveConfig = z.output<typeof configSchema>;
export type MllmBackendConfig = z.output<typeof mllmBackendSchema>;
export type SegmenterBackendConfig = z.output<typeof segmenterBackendSchema>;
export type EmbedderBackendConfig = z.output<typeof embedderBackendSchema>;
export type BackendRole = 'mllm' | 'judge' | 'segmenter' | 'embedder';

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validate an already-parsed config value; `source` names it in errors. */
export function parseConfig(value: unknown, source = '<config>'): MmevolveConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    throw new MmevolveError({
      code: 'config-invalid',
      message: `${source}: ${formatIssues(parsed.error)}`,
      hint: 'Fix the named field; see README "## Configuration" for a complete example.',
      details: { source, issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) },
    });
  }
  return parsed.data;
}

/** The first mmevolve.config.{json,yaml,yml} in `directory`, or undefined. */
export function findConfigFile(directory = process.cwd()): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => resolve(directory, name)).find((path) => existsSync(path));
}

export async function loadConfig(path?: string, directory = process.cwd()): Promise<{ config: MmevolveConfig; path: string }> {
  const file = path === undefined ? findConfigFile(directory) : resolve(directory, path);
  if (file === undefined) {
    throw mmevolveError('not-found', `no ${CONFIG_FILE_NAMES.join(' / ')} in ${directory}`, 'Create one (README "## Configuration") or pass --config FILE.');
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw mmevolveError('not-found', `cannot read config file ${file}`, 'Check the --config path.', error);
  }
  let value: unknown;
  try {
    value = extname(file) === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (error) {
    throw mmevolveError('config-invalid', `${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, 'Fix the syntax error.', error);
  }
  return { config: parseConfig(value, file), path: file };
}

/** The key for a backend: its apiKeyEnv variable (must be set when named), else MMEVOLVE_API_KEY, else none. */
export function resolveApiKey(backend: { apiKeyEnv?: string | undefined }, role: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (backend.apiKeyEnv !== undefined) {
    const value = env[backend.apiKeyEnv];
    if (value === undefined || value === '') {
      throw mmevolveError('config-invalid', `backends.${role}.apiKeyEnv names ${backend.apiKeyEnv}, which is not set`, `export ${backend.apiKeyEnv}=<key> before running mmevolve.`);
    }
    return value;
  }
  const shared = env[DEFAULT_API_KEY_ENV];
  return shared === undefined || shared === '' ? undefined : shared;
}
