/**
 * Embedders: OpenAI-compatible /v1/embeddings (vLLM-served Qwen3-Embedding or a multimodal embedding model,
 * Ollama's embedding models) with batching, and the built-in offline fallback (lexical/perceptual, labelled as
 * such). Configuration never falls back to the offline embedder silently when a server is configured.
 */
import { z } from 'zod';
import type { CallRecord, EmbedOptions, Embedder, EmbedderKind, RgbImage } from '../core/index.js';
import { planImage } from './image-payload.js';
import { protocolError } from './backend-errors.js';
import { requestJson } from './json-http.js';
import type { JsonHttpOptions } from './json-http.js';
import { OFFLINE_EMBEDDING_DIMENSIONS, lexicalTextEmbedding, perceptualImageEmbedding } from '../protocols/index.js';
import { createThrottle } from './throttle.js';
import { withByteBodies } from './byte-body-fetch.js';

export interface OpenAIEmbedderOptions {
  baseURL: string;
  apiKey?: string | undefined;
  model: string;
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  retryBaseDelayMs?: number | undefined;
  concurrency?: number | undefined;
  /** Inputs per request. */
  batchSize?: number | undefined;
  /**
   * How images are sent. 'messages' (default): one chat-style request per image, `messages` with an
   * `image_url` part — vLLM's EmbeddingChatRequest, the only way vLLM takes images for embeddings.
   * 'image-objects': `input` as objects `{image: <PNG data URL>}`, SGLang's MultimodalEmbeddingInput (its
   * EmbeddingRequest has no `messages`; serving_embedding.py passes each object's image as image_data).
   * 'data-url': PNG data URLs as strings in `input`, only for a gateway that documents it: vLLM and
   * Ollama read every `input` string as text (the base64 is tokenised: a 400 over the context length,
   * else a meaningless vector without an error).
   */
  imageInput?: 'data-url' | 'messages' | 'image-objects' | undefined;
  /** What the served vectors are; 'lexical-perceptual' for servers of non-semantic vectors (the sim's). */
  vectorKind?: EmbedderKind | undefined;
  name?: string | undefined;
  onCall?: ((record: CallRecord) => void) | undefined;
}

const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().optional() }).nullish(),
});

export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const url = `${options.baseURL.replace(/\/+$/, '')}/embeddings`;
  const backend = `${options.name ?? 'embedder'}:${options.model}`;
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const http: JsonHttpOptions = {
    fetch: options.fetch ?? withByteBodies(globalThis.fetch),
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 4,
    retryBaseDelayMs: options.retryBaseDelayMs,
    headers: options.apiKey === undefined ? undefined : { authorization: `Bearer ${options.apiKey}` },
  };
  const throttle = createThrottle({ concurrency: options.concurrency ?? 4 });

  async function post(body: Record<string, unknown>, expected: number, embedOptions: EmbedOptions | undefined): Promise<Float32Array[]> {
    const started = performance.now();
    const stage = embedOptions?.stage ?? 'embed';
    const call: CallRecord = { stage, backend, latencyMs: 0, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0 };
    try {
      const { value } = await throttle.run(
        () => requestJson(url, { model: options.model, encoding_format: 'float', ...body }, http, embedOptions?.signal, () => void (call.retries += 1)),
        embedOptions?.signal,
      );
      const parsed = embeddingsResponseSchema.safeParse(value);
      if (!parsed.success || parsed.data.data.length !== expected) {
        throw protocolError(
          url,
          `unexpected /embeddings response from ${url}: ${parsed.success ? `${parsed.data.data.length} vectors for ${expected} inputs` : parsed.error.message}`,
          'Check that the embedder backend serves an OpenAI-compatible embeddings model.',
        );
      }
      call.promptTokens = parsed.data.usage?.prompt_tokens ?? 0;
      return [...parsed.data.data].sort((left, right) => left.index - right.index).map((item) => Float32Array.from(item.embedding));
    } catch (error) {
      call.errorCode = (error as { code?: string }).code ?? 'internal';
      throw error;
    } finally {
      call.latencyMs = performance.now() - started;
      options.onCall?.(call);
    }
  }

  async function inBatches<T>(items: readonly T[], embedBatch: (batch: readonly T[]) => Promise<Float32Array[]>): Promise<Float32Array[]> {
    const batches: T[][] = [];
    for (let start = 0; start < items.length; start += batchSize) batches.push(items.slice(start, start + batchSize));
    return (await Promise.all(batches.map(embedBatch))).flat();
  }

  const imageUrl = (image: RgbImage): Promise<string> =>
    planImage(image, undefined, { format: 'png', quality: 100, resizeToProfile: false }).dataUrl();

  return {
    model: options.model,
    kind: options.vectorKind ?? 'semantic',
    embedTexts: (texts, embedOptions) => inBatches(texts, (batch) => post({ input: batch }, batch.length, embedOptions)),
    embedImages: async (images, embedOptions) => {
      if ((options.imageInput ?? 'messages') === 'messages') {
        return Promise.all(
          images.map(async (image) => {
            const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: await imageUrl(image) } }] }];
            const [vector] = await post({ messages }, 1, embedOptions);
            if (vector === undefined) throw protocolError(url, `no embedding returned by ${url}`, 'Check the embedder backend.');
            return vector;
          }),
        );
      }
      if (options.imageInput === 'image-objects') {
        return inBatches(images, async (batch) => post({ input: await Promise.all(batch.map(async (image) => ({ image: await imageUrl(image) }))) }, batch.length, embedOptions));
      }
      return inBatches(images, async (batch) => post({ input: await Promise.all(batch.map(imageUrl)) }, batch.length, embedOptions));
    },
  };
}

/** The built-in fallback: hashed n-grams for text, colour/texture histograms for images. Not semantic. */
export function createOfflineEmbedder(dimensions = OFFLINE_EMBEDDING_DIMENSIONS): Embedder {
  return {
    model: `offline-lexical-perceptual-${dimensions}`,
    kind: 'lexical-perceptual',
    embedTexts: (texts) => Promise.resolve(texts.map((text) => lexicalTextEmbedding(text, dimensions))),
    embedImages: (images) => Promise.resolve(images.map((image) => perceptualImageEmbedding(image, dimensions))),
  };
}
