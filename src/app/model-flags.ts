/**
 * Zero-config start: `--base-url`, `--model`, `--api-key-env`, `--segmenter-url`, `--embedder-url`
 * (`--embedder-model`) fill or override the config file's backends, and OPENAI_BASE_URL fills the MLLM's
 * base URL when neither a flag nor the file gives one — an explicit setting wins over the environment, and
 * without either the base URL is OpenAI's, as in the OpenAI SDK. (OPENAI_API_KEY is read where keys are
 * resolved: src/backends/config.ts.)
 */
import { isPlainRecord, mmevolveError } from '../core/index.js';

export const OPENAI_BASE_URL_ENV = 'OPENAI_BASE_URL';
/** The OpenAI SDK's own default base URL. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface ModelFlags {
  /** OpenAI-compatible base URL of the MLLM server (e.g. http://127.0.0.1:8000/v1). */
  baseUrl?: string | undefined;
  /** The model id the MLLM server serves. */
  model?: string | undefined;
  /** Name of the environment variable holding the MLLM's key. */
  apiKeyEnv?: string | undefined;
  /** SAM 3 segmenter server. */
  segmenterUrl?: string | undefined;
  /** OpenAI-compatible embeddings server. */
  embedderUrl?: string | undefined;
  /** Embedding model id (default: the first model the embeddings server lists). */
  embedderModel?: string | undefined;
}

/** True when any model flag was given. */
export function hasModelFlags(flags: ModelFlags): boolean {
  return Object.values(flags).some((value) => value !== undefined);
}

function checkUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch (cause) {
    throw mmevolveError('invalid-input', `${flag} must be an http(s) URL, got "${value}"`, `e.g. ${flag} http://127.0.0.1:8000/v1`, cause);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw mmevolveError('invalid-input', `${flag} must be an http(s) URL, got "${value}"`, `e.g. ${flag} http://127.0.0.1:8000/v1`);
  return value;
}

function section(value: unknown): Record<string, unknown> | undefined {
  return isPlainRecord(value) ? value : undefined;
}

/** The first model id an OpenAI-compatible server lists at GET {baseURL}/models. */
export async function firstServedModel(baseURL: string, flag: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const url = `${baseURL.replace(/\/+$/u, '')}/models`;
  let body: unknown;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw mmevolveError('backend-unavailable', `cannot list the models of ${flag} ${baseURL} (GET ${url}): ${(cause as Error).message}`, `Name the model with ${flag === '--embedder-url' ? '--embedder-model' : '--model'} NAME, or check the URL.`, cause);
  }
  const data = isPlainRecord(body) && Array.isArray(body['data']) ? body['data'] : [];
  const first: unknown = data[0];
  const id = isPlainRecord(first) && typeof first['id'] === 'string' ? first['id'] : undefined;
  if (id === undefined) throw mmevolveError('invalid-input', `${url} lists no model`, `Name the model with ${flag === '--embedder-url' ? '--embedder-model' : '--model'} NAME.`);
  return id;
}

/**
 * The raw config (a file's value, or {} without a file) with the flags and OPENAI_BASE_URL applied; the
 * result is validated like a file (src/app/config.ts).
 */
export async function applyModelFlags(raw: unknown, flags: ModelFlags, env: NodeJS.ProcessEnv = process.env, fetchImpl: typeof fetch = fetch): Promise<Record<string, unknown>> {
  const config: Record<string, unknown> = { ...(section(raw) ?? {}) };
  if (raw !== undefined && raw !== null && !isPlainRecord(raw)) return raw as Record<string, unknown>; // the schema reports it
  const backends: Record<string, unknown> = { ...(section(config['backends']) ?? {}) };
  const baseUrl = checkUrl(flags.baseUrl, '--base-url');
  const segmenterUrl = checkUrl(flags.segmenterUrl, '--segmenter-url');
  const embedderUrl = checkUrl(flags.embedderUrl, '--embedder-url');

  const mllm = section(backends['mllm']);
  if (mllm !== undefined || baseUrl !== undefined || flags.model !== undefined || flags.apiKeyEnv !== undefined) {
    const model = flags.model ?? mllm?.['model'];
    if (model === undefined) {
      throw mmevolveError('invalid-input', 'no MLLM model named', 'Pass --model NAME (the id the server serves, e.g. Qwen/Qwen2.5-VL-7B-Instruct) with --base-url.');
    }
    const envBase = env[OPENAI_BASE_URL_ENV];
    const fromEnv = envBase === undefined || envBase === '' ? undefined : checkUrl(envBase, OPENAI_BASE_URL_ENV);
    backends['mllm'] = {
      ...mllm,
      baseURL: baseUrl ?? mllm?.['baseURL'] ?? fromEnv ?? OPENAI_DEFAULT_BASE_URL,
      model,
      ...(flags.apiKeyEnv === undefined ? {} : { apiKeyEnv: flags.apiKeyEnv }),
    };
  }
  if (segmenterUrl !== undefined) backends['segmenter'] = { ...section(backends['segmenter']), baseURL: segmenterUrl };
  if (embedderUrl !== undefined) {
    const existing = section(backends['embedder']);
    const kept = existing?.['kind'] === 'openai' ? existing : {};
    const model = flags.embedderModel ?? kept['model'] ?? (await firstServedModel(embedderUrl, '--embedder-url', fetchImpl));
    backends['embedder'] = { ...kept, kind: 'openai', baseURL: embedderUrl, model };
  } else if (flags.embedderModel !== undefined) {
    const existing = section(backends['embedder']);
    if (existing?.['kind'] !== 'openai') throw mmevolveError('invalid-input', '--embedder-model needs --embedder-url (or an openai embedder in the config)', 'Pass --embedder-url URL as well.');
    backends['embedder'] = { ...existing, model: flags.embedderModel };
  }
  if (Object.keys(backends).length > 0 || config['backends'] !== undefined) config['backends'] = backends;
  return config;
}
