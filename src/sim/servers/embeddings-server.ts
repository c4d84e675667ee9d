/**
 * The simulated embeddings server: OpenAI-compatible `POST /v1/embeddings` serving the offline
 * embedding functions of src/protocols (hashed word/3-gram vectors for text, colour/texture histograms
 * for images). As vLLM does (EmbeddingCompletionRequest vs EmbeddingChatRequest, see
 * src/protocols/__contracts__/vllm.json): every string in `input` is text — a data URL there is embedded
 * as the text it is — and images come through the chat-style `messages` form (one vector for the
 * conversation: its first image's, else its joined text's) or, as SGLang reads them (sglang.json), as
 * `input` objects `{text?, image?}` (one vector per object: its image's, else its text's). Deterministic. Lexical/perceptual, not
 * semantic — and SIMULATED: the model id says so.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { OFFLINE_EMBEDDING_DIMENSIONS, lexicalTextEmbedding, perceptualImageEmbedding } from '../../protocols/index.js';
import { isMmevolveError } from '../../core/index.js';
import { ImageCache } from './image-input.js';
import { listen } from './listen.js';
import type { ListenOptions } from './listen.js';
import { NOT_JSON_BODY, invalidRequest, openAiError, readJson } from './openai-errors.js';

export const SIM_EMBEDDING_MODEL = 'sim-embedding';

const imageUrlPart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1) }) });
const textPart = z.object({ type: z.literal('text'), text: z.string() });
const embeddingsRequestSchema = z
  .looseObject({
    model: z.string().min(1),
    // Strings are text (vLLM, Ollama); objects {text?, image?} are SGLang's MultimodalEmbeddingInput.
    input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.looseObject({ text: z.string().optional(), image: z.string().min(1).optional() })).min(1)]).optional(),
    messages: z.array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(z.union([imageUrlPart, textPart]))]) })).min(1).optional(),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().min(1).max(4096).optional(),
  })
  .refine((body) => body.input !== undefined || body.messages !== undefined, { message: 'input is required', path: ['input'] });

export interface SimEmbeddingsServer {
  url: string;
  metrics: { requests: number; texts: number; images: number };
  close(): Promise<void>;
}

function encode(vector: Float32Array, format: 'float' | 'base64'): number[] | string {
  if (format === 'float') return Array.from(vector);
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function createSimEmbeddingsApp(): { app: Hono; metrics: SimEmbeddingsServer['metrics'] } {
  const images = new ImageCache();
  const metrics = { requests: 0, texts: 0, images: 0 };
  const app = new Hono();

  app.get('/v1/models', (context) => context.json({ object: 'list', data: [{ id: SIM_EMBEDDING_MODEL, object: 'model', created: 0, owned_by: 'mmevolve-simulated' }] }));

  app.post('/v1/embeddings', async (context) => {
    metrics.requests += 1;
    const json = await readJson(context);
    if (!json.ok) return context.json(NOT_JSON_BODY, 400);
    const parsed = embeddingsRequestSchema.safeParse(json.value);
    if (!parsed.success) return context.json(invalidRequest(parsed.error), 400);
    const body = parsed.data;
    if (body.model !== SIM_EMBEDDING_MODEL) {
      return context.json(openAiError(`The model \`${body.model}\` does not exist (this simulated server serves \`${SIM_EMBEDDING_MODEL}\`).`, 'invalid_request_error', 'model', 'model_not_found'), 404);
    }
    const dimensions = body.dimensions ?? OFFLINE_EMBEDDING_DIMENSIONS;
    // `input`: one vector per item. vLLM-style `messages`: one vector for the whole conversation — the
    // first image's when there is one, else the joined text's.
    const messageParts = (body.messages ?? []).flatMap((message) =>
      typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content,
    );
    const firstImage = messageParts.find((part) => part.type === 'image_url');
    type Item = { kind: 'text' | 'image'; value: string };
    const inputs: Item[] =
      body.input !== undefined
        ? (typeof body.input === 'string' ? [body.input] : body.input).map((item): Item =>
            typeof item === 'string' ? { kind: 'text', value: item } : item.image !== undefined ? { kind: 'image', value: item.image } : { kind: 'text', value: item.text ?? 'padding' },
          )
        : firstImage?.type === 'image_url'
          ? [{ kind: 'image', value: firstImage.image_url.url }]
          : [{ kind: 'text', value: messageParts.map((part) => (part.type === 'text' ? part.text : '')).join('\n') }];
    const vectors: Float32Array[] = [];
    let tokens = 0;
    for (const input of inputs) {
      if (input.kind === 'image') {
        try {
          vectors.push(perceptualImageEmbedding((await images.fromUrl(input.value)).image, dimensions));
        } catch (error) {
          return context.json(openAiError(isMmevolveError(error) ? error.message : 'unreadable image', 'invalid_request_error', body.input === undefined ? 'messages' : 'input', 'invalid_image'), 400);
        }
        metrics.images += 1;
        tokens += 1;
      } else {
        vectors.push(lexicalTextEmbedding(input.value, dimensions));
        metrics.texts += 1;
        tokens += Math.ceil(input.value.length / 4);
      }
    }
    const format = body.encoding_format ?? 'float';
    return context.json({
      object: 'list',
      model: SIM_EMBEDDING_MODEL,
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector, format) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 },
    });
  });

  app.notFound((context) => context.json(openAiError(`Unknown path ${context.req.path} (simulated embeddings serve /v1/embeddings).`, 'invalid_request_error', null, 'unknown_url'), 404));
  return { app, metrics };
}

/** Start the simulated embeddings server on loopback (port 0 = a free port). */
export async function startSimEmbeddingsServer(options: ListenOptions = {}): Promise<SimEmbeddingsServer> {
  const { app, metrics } = createSimEmbeddingsApp();
  const listening = await listen(app, options);
  return { url: listening.url, metrics, close: listening.close };
}
