/**
 * MllmClient over the official `openai` SDK (v6) for any OpenAI-compatible server (vLLM, SGLang, Ollama,
 * llama.cpp, LMDeploy, hosted APIs). The SDK's own retries are off (maxRetries 0): ours count retries into
 * the CallRecord and follow issue 5's policy.
 */
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import { engineJsonSchema, isMmevolveError, isTaskName, mmevolveError, taskSystemLine } from '../core/index.js';
import type { Box, CallRecord, ChatRequest, ChatResult, MllmClient, Usage, Warning } from '../core/index.js';
import { toBackendError } from './backend-errors.js';
import { DEFAULT_IMAGE_ENCODING, planImage } from './image-payload.js';
import type { FramingProfile, ImageEncodingOptions, PlannedImage } from './image-payload.js';
import { parseModelOutput } from './parse-model-output.js';
import { cacheKey } from './response-cache.js';
import type { ResponseCache } from './response-cache.js';
import { createServerIdentityProbe } from './server-identity.js';
import { withRetries } from './retry.js';
import { createThrottle } from './throttle.js';
import { withByteBodies } from './byte-body-fetch.js';

export interface OpenAICompatibleClientOptions {
  baseURL: string;
  /** Most local servers ignore it; the SDK requires a string. */
  apiKey?: string | undefined;
  model: string;
  profile?: FramingProfile | undefined;
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  concurrency?: number | undefined;
  requestsPerMinute?: number | undefined;
  cache?: ResponseCache | undefined;
  /** Send response_format json_schema (vLLM, SGLang, OpenAI, Ollama ≥ 0.5 do). */
  supportsJsonSchema?: boolean | undefined;
  image?: Partial<ImageEncodingOptions> | undefined;
  retryBaseDelayMs?: number | undefined;
  /** Label in CallRecord.backend; defaults to "mllm". */
  name?: string | undefined;
  /** Every CallRecord, success or failure, as it completes (run accounting). */
  onCall?: ((record: CallRecord) => void) | undefined;
}

const DEFAULTS = { timeoutMs: 120_000, maxRetries: 4, concurrency: 8 } as const;

const REPAIR_INSTRUCTION =
  'Your previous reply could not be used: {problem}. Reply again with only the JSON object that matches the required schema, and nothing else.';

function usageOf(completion: ChatCompletion): Usage {
  return { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 };
}

function addUsage(left: Usage, right: Usage): Usage {
  return { promptTokens: left.promptTokens + right.promptTokens, completionTokens: left.completionTokens + right.completionTokens };
}

function isBareJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Converting a zod schema costs more than the rest of the client's per-call work; schemas are reused. */
const jsonSchemas = new WeakMap<z.ZodType<unknown>, Record<string, unknown>>();

function jsonSchemaOf(schema: z.ZodType<unknown>): Record<string, unknown> {
  const known = jsonSchemas.get(schema);
  if (known !== undefined) return known;
  const json = engineJsonSchema(schema);
  jsonSchemas.set(schema, json);
  return json;
}

/**
 * vLLM's ErrorResponse can be flat (`{object: "error", message, type, param, code}`); the SDK reads only a
 * body's `error` member and would report "(no body)". Such a body is rewrapped as `{error: body}` so the
 * message reaches the typed error (src/protocols/__contracts__/vllm.json).
 */
function withUpstreamErrorBodies(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
    const text = await response.text();
    let body = text;
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (typeof parsed === 'object' && parsed !== null && !('error' in parsed) && typeof parsed['message'] === 'string') body = JSON.stringify({ error: parsed });
    } catch {
      // Not JSON after all: pass the text on unchanged.
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

export function createOpenAICompatibleClient(options: OpenAICompatibleClientOptions): MllmClient {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const supportsJsonSchema = options.supportsJsonSchema ?? true;
  const imageOptions: ImageEncodingOptions = { ...DEFAULT_IMAGE_ENCODING, ...options.image };
  const backend = `${options.name ?? 'mllm'}:${options.model}`;
  const chatUrl = `${options.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const sdk = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'not-needed',
    maxRetries: 0,
    timeout: timeoutMs,
    fetch: withUpstreamErrorBodies(options.fetch ?? withByteBodies(globalThis.fetch)),
  });
  const throttle = createThrottle({ concurrency: options.concurrency ?? DEFAULTS.concurrency, requestsPerMinute: options.requestsPerMinute });
  /** The server's /models identity, part of every cache key (server-identity.ts). */
  const identity = createServerIdentityProbe(options.model, async (signal) => {
    const page = await sdk.models.list({ timeout: timeoutMs, maxRetries: 0, ...(signal === undefined ? {} : { signal }) });
    return page.data as unknown[];
  });
  /** Deterministic requests on the wire, by cache key; settles (never rejects) when the request ends. */
  const inFlight = new Map<string, Promise<void>>();
  /** Images whose downscale warning was already given (by pixel buffer). */
  const downscaleWarned = new WeakSet<object>();

  /** One completion with retries; each retry is counted through `onRetry`, also when the call fails in the end. */
  async function complete(
    body: ChatCompletionCreateParamsNonStreaming,
    signal: AbortSignal | undefined,
    onRetry: () => void,
  ): Promise<ChatCompletion> {
    const { value } = await throttle.run(
      () =>
        withRetries(
          async () => {
            if (signal?.aborted === true) throw toBackendError(signal.reason, chatUrl, timeoutMs, signal);
            try {
              return await sdk.chat.completions.create(body, { timeout: timeoutMs, maxRetries: 0, ...(signal === undefined ? {} : { signal }) });
            } catch (error) {
              throw toBackendError(error, chatUrl, timeoutMs, signal);
            }
          },
          { maxRetries, signal, onRetry, ...(options.retryBaseDelayMs === undefined ? {} : { baseDelayMs: options.retryBaseDelayMs }) },
        ),
      signal,
    );
    return value;
  }

  /**
   * Without response_format the server learns the task from a first system line `Task: <name>`
   * (src/core/tasks.ts); add it when the caller's messages do not already start with one.
   */
  function withTaskLine(request: ChatRequest<unknown>): ChatRequest<unknown>['messages'] {
    const name = request.schema?.name;
    if (supportsJsonSchema || name === undefined || !isTaskName(name)) return request.messages;
    const line = taskSystemLine(name);
    const systemIndex = request.messages.findIndex((message) => message.role === 'system');
    const system = request.messages[systemIndex];
    if (system === undefined) return [{ role: 'system', content: line }, ...request.messages];
    if (system.content.trimStart().startsWith('Task:')) return request.messages;
    return request.messages.map((message, index) => (index === systemIndex ? { role: 'system', content: `${line}\n${message.content}` } : message));
  }

  async function buildMessages(request: ChatRequest<unknown>, images: readonly PlannedImage[]): Promise<ChatCompletionMessageParam[]> {
    const messages = withTaskLine(request);
    const lastUser = messages.map((message) => message.role).lastIndexOf('user');
    const dataUrls = await Promise.all(images.map((image) => image.dataUrl()));
    return messages.map((message, index): ChatCompletionMessageParam => {
      if (message.role === 'system') return { role: 'system', content: message.content };
      if (message.role === 'assistant') return { role: 'assistant', content: message.content };
      if (index !== lastUser || dataUrls.length === 0) return { role: 'user', content: message.content };
      const parts: ChatCompletionContentPart[] = dataUrls.flatMap((url, imageIndex): ChatCompletionContentPart[] => {
        const label = request.imageLabels?.[imageIndex];
        const image: ChatCompletionContentPart = { type: 'image_url', image_url: { url } };
        return label === undefined ? [image] : [{ type: 'text', text: label }, image];
      });
      parts.push({ type: 'text', text: message.content });
      return { role: 'user', content: parts };
    });
  }

  async function chat<T = string>(request: ChatRequest<T>): Promise<ChatResult<T>> {
    const started = performance.now();
    const stage = request.stage ?? 'default';
    const record: CallRecord = { stage, backend, latencyMs: 0, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0 };
    const finish = (): CallRecord => {
      record.latencyMs = performance.now() - started;
      options.onCall?.(record);
      return record;
    };
    try {
      if (request.images !== undefined && request.images.length > 0 && !request.messages.some((message) => message.role === 'user')) {
        throw mmevolveError('invalid-input', 'images need a user message to attach to', 'Add a user message to the chat request.');
      }
      const images = (request.images ?? []).map((image) => planImage(image, options.profile, imageOptions));
      // A downscale is said once per image per client, not on every call that sends it again.
      const warnings: Warning[] = images.flatMap((image, index) => {
        const pixels = (request.images ?? [])[index];
        const source = pixels === undefined ? undefined : 'data' in pixels ? pixels.data : pixels.bytes;
        if (source === undefined || image.warnings.length === 0) return image.warnings;
        if (downscaleWarned.has(source)) return image.warnings.filter((warning) => warning.code !== 'image-downscaled');
        downscaleWarned.add(source);
        return image.warnings;
      });
      const schema = request.schema;
      const jsonSchema = schema === undefined ? undefined : jsonSchemaOf(schema.schema as z.ZodType<unknown>);
      const responseFormat =
        schema !== undefined && jsonSchema !== undefined && supportsJsonSchema
          ? ({ type: 'json_schema', json_schema: { name: schema.name, schema: jsonSchema, strict: true } } as const)
          : undefined;
      const body: Omit<ChatCompletionCreateParamsNonStreaming, 'messages'> = {
        model: options.model,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
        ...(request.seed === undefined ? {} : { seed: request.seed }),
        ...(responseFormat === undefined ? {} : { response_format: responseFormat }),
      };
      const cacheable = options.cache !== undefined && request.cache !== false && (request.temperature === 0 || request.seed !== undefined);
      // Without a readable server identity (network error) this call neither reads nor writes the cache.
      const server = cacheable ? await identity.get(request.signal) : undefined;
      const key =
        cacheable && server !== undefined
          ? cacheKey({ body, messages: request.messages, images: images.map((image) => image.hash()), ...(request.imageLabels === undefined ? {} : { imageLabels: request.imageLabels }), schemaName: schema?.name, jsonSchema, server: server ?? undefined })
          : undefined;

      const interpret = (text: string): { ok: true; value: T } | { ok: false; problem: string; error: unknown } => {
        if (schema === undefined) return { ok: true, value: text as T };
        const parsed = parseModelOutput(text, schema.schema, schema.name);
        if (parsed.ok) return { ok: true, value: parsed.value };
        return { ok: false, problem: String(parsed.error.details?.['problem'] ?? parsed.error.message), error: parsed.error };
      };
      const result = (value: T, text: string, usage: Usage): ChatResult<T> => {
        // The record counts tokens this call spent (none on a cache hit); `usage` is the answer's own.
        if (!record.cacheHit) {
          record.promptTokens = usage.promptTokens;
          record.completionTokens = usage.completionTokens;
        } else {
          record.cachedTokens = usage.promptTokens + usage.completionTokens;
        }
        const frames = images.map((image) => image.frame);
        return {
          value,
          text,
          usage,
          warnings,
          call: finish(),
          frames,
          boxToOriginal(modelBox: Box, imageIndex = 0): Box {
            const frame = frames[imageIndex];
            if (frame === undefined) throw mmevolveError('invalid-input', `no image ${imageIndex} in this request`, 'Pass the index of an image sent with the request.');
            return options.profile === undefined ? modelBox : options.profile.fromModelBox(modelBox, frame.original);
          },
        };
      };

      if (key !== undefined) {
        // Single flight: an identical deterministic request already on the wire answers this one too.
        const pending = inFlight.get(key);
        if (pending !== undefined) await pending;
        const cached = options.cache?.get(key);
        if (cached !== undefined) {
          const interpreted = interpret(cached.text);
          if (interpreted.ok) {
            record.cacheHit = true;
            return result(interpreted.value, cached.text, cached.usage);
          }
        }
      }

      let release: (() => void) | undefined;
      if (key !== undefined && !inFlight.has(key)) inFlight.set(key, new Promise<void>((resolve) => (release = resolve)));
      try {
        const messages = await buildMessages(request as ChatRequest<unknown>, images);
        const countRetry = (): void => void (record.retries += 1);
        const first = await complete({ ...body, messages }, request.signal, countRetry);
        let text = first.choices[0]?.message.content ?? '';
        let usage = usageOf(first);
        if (responseFormat !== undefined && !isBareJson(text)) {
          warnings.push({ code: 'response-format-ignored', message: 'the server was sent response_format json_schema but answered with text around or instead of JSON' });
        }
        let interpreted = interpret(text);
        if (!interpreted.ok) {
          // One repair turn that shows the model its own output and the validation problem.
          record.repairs = 1;
          warnings.push({ code: 'output-repaired', message: `invalid ${schema?.name ?? ''} output, asked the model to repair it: ${interpreted.problem}` });
          const repairMessages: ChatCompletionMessageParam[] = [
            ...messages,
            { role: 'assistant', content: text },
            { role: 'user', content: REPAIR_INSTRUCTION.replace('{problem}', interpreted.problem) },
          ];
          const second = await complete({ ...body, messages: repairMessages }, request.signal, countRetry);
          const repairedText = second.choices[0]?.message.content ?? '';
          usage = addUsage(usage, usageOf(second));
          const repaired = interpret(repairedText);
          if (!repaired.ok) {
            record.promptTokens = usage.promptTokens;
            record.completionTokens = usage.completionTokens;
            throw repaired.error;
          }
          text = repairedText;
          interpreted = repaired;
        }
        if (key !== undefined) options.cache?.set(key, options.model, { text, usage });
        return result(interpreted.value, text, usage);
      } finally {
        if (release !== undefined && key !== undefined) {
          inFlight.delete(key);
          release();
        }
      }
    } catch (error) {
      const failure = isMmevolveError(error) ? error : toBackendError(error, chatUrl, timeoutMs, request.signal);
      record.errorCode = failure.code;
      finish();
      throw failure;
    }
  }

  async function listModels(signal?: AbortSignal): Promise<string[]> {
    const url = `${options.baseURL.replace(/\/+$/, '')}/models`;
    try {
      const page = await sdk.models.list({ timeout: timeoutMs, maxRetries: 0, ...(signal === undefined ? {} : { signal }) });
      return page.data.map((model) => model.id);
    } catch (error) {
      throw toBackendError(error, url, timeoutMs, signal, 'GET');
    }
  }

  return { model: options.model, profileName: options.profile?.name ?? 'generic', supportsJsonSchema, chat, listModels };
}
