/**
 * The backends part of mmevolve.config.*: named backends (mllm, judge, segmenter, embedder) and the response
 * cache. Secrets come from the environment (a per-backend `apiKeyEnv`, MMEVOLVE_API_KEY, OPENAI_API_KEY),
 * never from the file. The whole file (with evolve, memory, store, server) is src/app/config.ts.
 */
import { z } from 'zod';
import { MmevolveError, describeConfigIssues, mmevolveError } from '../core/index.js';

export const DEFAULT_API_KEY_ENV = 'MMEVOLVE_API_KEY';
/** Read as the OpenAI SDK reads it, for OpenAI-protocol backends without their own key. */
export const OPENAI_API_KEY_ENV = 'OPENAI_API_KEY';
export const DEFAULT_CACHE_PATH = '.mmevolve/cache.sqlite';

const url = z.url({ protocol: /^https?$/ });
const connection = {
  baseURL: url,
  /**
   * More base URLs serving the same model: requests are spread over baseURL and these by fewest outstanding
   * requests, and a failing replica is taken out and probed back in (replica-pool.ts).
   */
  replicas: z.array(url).min(1).max(64).optional(),
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
    imageInput: z.enum(['data-url', 'messages', 'image-objects']).optional(),
    /** Declare 'lexical-perceptual' when the server serves non-semantic vectors (mmevolve sim serve-embeddings). */
    vectorKind: z.enum(['semantic', 'lexical-perceptual']).default('semantic'),
  }),
  /** Explicit opt-in to the lexical/perceptual fallback (never chosen silently). */
  z.strictObject({ kind: z.literal('offline'), dimensions: z.number().int().positive().default(256) }),
]);

/** The part of the config file the backends read (src/app composes it with evolve, memory, store, server). */
export const backendsSectionSchema = z.strictObject({
  mllm: mllmBackendSchema.optional(),
  /** Defaults to the mllm backend when absent. */
  judge: mllmBackendSchema.optional(),
  segmenter: segmenterBackendSchema.optional(),
  embedder: embedderBackendSchema.optional(),
});

export const cacheSectionSchema = z
  .strictObject({ enabled: z.boolean().default(true), path: z.string().min(1).default(DEFAULT_CACHE_PATH) })
  .default({ enabled: true, path: DEFAULT_CACHE_PATH });

export const configSchema = z.strictObject({
  backends: backendsSectionSchema.prefault({}),
  cache: cacheSectionSchema,
});

export type MmevolveConfig = z.output<typeof configSchema>;
export type MllmBackendConfig = z.output<typeof mllmBackendSchema>;
export type SegmenterBackendConfig = z.output<typeof segmenterBackendSchema>;
export type EmbedderBackendConfig = z.output<typeof embedderBackendSchema>;
export type BackendRole = 'mllm' | 'judge' | 'segmenter' | 'embedder';

/** A config-invalid error listing each issue with its key path (and the nearest valid key for a typo). */
export function configError(schema: z.ZodType, error: z.ZodError, value: unknown, source: string): MmevolveError {
  const lines = describeConfigIssues(schema, error.issues, value);
  return new MmevolveError({
    code: 'config-invalid',
    message: `${source}: ${lines.join('; ')}`,
    hint: 'Fix the named key; README "## Configuration" has a complete example (`mmevolve init` writes one).',
    details: { source, issues: lines },
  });
}

/** Validate the backends and cache of a config (code that builds backends without the app layer). */
export function parseConfig(value: unknown, source = '<config>'): MmevolveConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) throw configError(configSchema, parsed.error, value, source);
  return parsed.data;
}

/**
 * The key for a backend: its apiKeyEnv variable (must be set when named), else MMEVOLVE_API_KEY, else (for
 * OpenAI-protocol backends, as the OpenAI SDK does) OPENAI_API_KEY, else none.
 */
export function resolveApiKey(backend: { apiKeyEnv?: string | undefined }, role: string, env: NodeJS.ProcessEnv = process.env, openaiProtocol = false): string | undefined {
  if (backend.apiKeyEnv !== undefined) {
    const value = env[backend.apiKeyEnv];
    if (value === undefined || value === '') {
      throw mmevolveError('config-invalid', `backends.${role}.apiKeyEnv names ${backend.apiKeyEnv}, which is not set`, `export ${backend.apiKeyEnv}=<key> before running mmevolve.`);
    }
    return value;
  }
  for (const name of openaiProtocol ? [DEFAULT_API_KEY_ENV, OPENAI_API_KEY_ENV] : [DEFAULT_API_KEY_ENV]) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
