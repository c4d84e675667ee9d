/**
 * OpenAI-compatible proxy: /v1/chat/completions and /v1/models forward to the configured MLLM server.
 * Before forwarding a chat request, the tenant's relevant lessons are added as a system message (see
 * lesson-injection.ts); `X-Mmevolve-Memory: off` or a model id ending in `:no-memory` turns that off.
 * Every image part is vetted first (proxy-images.ts): the model server receives only data: URLs that passed
 * the image gate, never a URL it would fetch itself. The upstream response (JSON or an SSE stream) is
 * passed back byte for byte. With memory on, the answer is also kept for a while (answer-log.ts) under its
 * response id, so feedback can be sent for it later (POST /v1/feedback) and label-free checks can run.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Embedder, MemoryStore, RgbImage } from '../../core/index.js';
import { unavailableError } from '../../backends/index.js';
import { requireScope } from '../auth.js';
import { dataUrlBytes, decodeRequestImage } from '../image-input.js';
import type { MemoryMethodConfig } from '../../memory/index.js';
import { lessonSystemMessage, retrieveForChat } from '../lesson-injection.js';
import type { ServerLimits } from '../limits.js';
import { checkQueryLength } from '../limits.js';
import type { ServerEnv } from '../principal.js';
import { vetChatMessages } from '../proxy-images.js';
import type { ChatMessage } from '../proxy-images.js';
import { readJson } from '../request-body.js';
import type { AnswerLearning } from '../answer-learning.js';
import { captureCompletion, captureStream } from '../answer-capture.js';
import type { CapturedAnswer } from '../answer-capture.js';
import type { ErrorLogger } from '../api-errors.js';
import { endIntake } from '../tenant-intake.js';
import { answerSegmentationChat, segmentationModelEntries, segmentationModelMethod } from './segmentation-model.js';
import type { SegmentationModelOptions } from './segmentation-model.js';

export const NO_MEMORY_SUFFIX = ':no-memory';
export const MEMORY_HEADER = 'x-mmevolve-memory';

export interface UpstreamOptions {
  /** OpenAI-compatible base URL of the MLLM server (ends in /v1). */
  baseURL: string;
  apiKey?: string | undefined;
  fetch?: typeof fetch;
}

export interface ProxyRouteOptions {
  upstream: UpstreamOptions | undefined;
  store: MemoryStore | undefined;
  embedder: Embedder | undefined;
  limits: ServerLimits;
  /** The memory method's settings: the proxy retrieves lessons exactly as /v1/solve does. */
  memoryConfig: MemoryMethodConfig;
  /** Chat requests for the `mmevolve-segment` model are answered here, not forwarded (segmentation-model.ts). */
  segmentation?: SegmentationModelOptions;
  /** Keeps answers given with memory on, for feedback and label-free checks. */
  learning?: AnswerLearning;
  log: ErrorLogger;
}

interface AnsweredQuestion {
  tenant: string;
  question: string;
  images: string[];
  model: string;
  canWrite: boolean;
}

/**
 * The upstream answer, passed through unchanged, and kept in the answer log once it is complete: a JSON
 * answer at once (its id also goes out as X-Mmevolve-Response-Id), a stream when its last chunk has passed.
 */
async function keepAnswer(response: Response, asked: AnsweredQuestion, learning: AnswerLearning, log: ErrorLogger, streamed: boolean, extra: Record<string, string>): Promise<Response> {
  if (!response.ok || response.body === null) return passThrough(response, extra);
  const keep = async (captured: CapturedAnswer): Promise<void> => {
    if (!captured.ok) {
      log('proxied answer not kept for feedback', new Error(captured.reason));
      return;
    }
    await learning.keep(asked.tenant, { id: captured.id, question: asked.question, images: asked.images, answer: captured.text, model: asked.model }, asked.canWrite);
  };
  if (streamed) {
    const [toClient, toLog] = response.body.tee();
    learning.track(captureStream(toLog).then(keep, (error: unknown) => log('proxied stream not kept for feedback', error)));
    return passThrough(new Response(toClient, { status: response.status, headers: response.headers }), extra);
  }
  const text = await response.text();
  const captured = captureCompletion(text);
  // Kept before the answer goes out, so feedback sent right after it finds it.
  await keep(captured);
  return passThrough(new Response(text, { status: response.status, headers: response.headers }), captured.ok ? { ...extra, 'X-Mmevolve-Response-Id': captured.id } : extra);
}

const contentPartSchema = z.looseObject({ type: z.string().max(100), text: z.string().optional(), image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional() });
const messageSchema = z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional() });
export const chatCompletionBodySchema = z.looseObject({ model: z.string().min(1).max(300), messages: z.array(messageSchema).min(1).max(500), stream: z.boolean().optional() });

type ChatMessageBody = z.infer<typeof messageSchema>;

/** An OpenAI model list (vLLM, Ollama and the simulated server answer this shape); entries kept as sent. */
const modelListSchema = z.looseObject({ object: z.string().optional(), data: z.array(z.looseObject({ id: z.string() })) });

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the caller passes the upstream body through as it came.
    return undefined;
  }
}

function notConfigured(): Error {
  return unavailableError('(no mllm backend configured)', new Error('backends.mllm is missing'));
}

function messageText(message: ChatMessageBody): string {
  if (typeof message.content === 'string') return message.content;
  if (message.content === null || message.content === undefined) return '';
  return message.content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : [])).join('\n');
}

function upstreamHeaders(options: UpstreamOptions): Record<string, string> {
  return { 'Content-Type': 'application/json', ...(options.apiKey === undefined ? {} : { Authorization: `Bearer ${options.apiKey}` }) };
}

/** The upstream response, unchanged except for hop-by-hop headers, plus ours. */
function passThrough(response: Response, extra: Record<string, string>): Response {
  const headers = new Headers();
  for (const name of ['content-type', 'cache-control', 'retry-after', 'x-request-id']) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, headers });
}

async function forward(upstream: UpstreamOptions, path: string, init: RequestInit): Promise<Response> {
  const url = `${upstream.baseURL.replace(/\/+$/u, '')}${path}`;
  try {
    return await (upstream.fetch ?? fetch)(url, init);
  } catch (cause) {
    throw unavailableError(url, cause);
  }
}

export function proxyRoutes(options: ProxyRouteOptions): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  // The MLLM server's list with the segmentation models this server answers itself (segmentation-model.ts)
  // appended; an upstream error passes through unchanged, as does a body that is not an OpenAI model list.
  routes.get('/models', requireScope('read'), async (context) => {
    const ours = segmentationModelEntries(options.segmentation?.backends);
    if (options.upstream === undefined) {
      if (ours.length === 0) throw notConfigured();
      return context.json({ object: 'list', data: ours });
    }
    const response = await forward(options.upstream, '/models', { headers: upstreamHeaders(options.upstream), signal: context.req.raw.signal });
    if (!response.ok || ours.length === 0) return passThrough(response, {});
    const text = await response.text();
    const listed = modelListSchema.safeParse(parseJsonOrUndefined(text));
    if (!listed.success) return passThrough(new Response(text, { status: response.status, headers: response.headers }), {});
    const upstreamIds = new Set(listed.data.data.map((model) => model.id));
    return context.json({ ...listed.data, data: [...listed.data.data, ...ours.filter((model) => !upstreamIds.has(model.id))] });
  });

  routes.post('/chat/completions', requireScope('solve'), async (context) => {
    const upstream = options.upstream;
    const body = await readJson(context, chatCompletionBodySchema, 'chat completion request');
    const segmentationMethod = options.segmentation === undefined ? null : segmentationModelMethod(body.model);
    if (segmentationMethod !== null && options.segmentation !== undefined) {
      return answerSegmentationChat(context, { ...body, messages: body.messages as ChatMessage[] }, segmentationMethod, options.segmentation);
    }
    if (upstream === undefined) throw notConfigured();
    const suffixOff = body.model.endsWith(NO_MEMORY_SUFFIX);
    const model = suffixOff ? body.model.slice(0, -NO_MEMORY_SUFFIX.length) : body.model;
    const headerOff = (context.req.header(MEMORY_HEADER) ?? '').trim().toLowerCase() === 'off';
    const vetted = await vetChatMessages(body.messages as ChatMessage[], options.limits, context.req.raw.signal);
    const lastUserIndex = body.messages.findLastIndex((message) => message.role === 'user');
    const lastUser = body.messages[lastUserIndex];
    let messages = vetted.messages;
    const extraHeaders: Record<string, string> = {};
    let asked: AnsweredQuestion | undefined;
    if (suffixOff || headerOff || options.store === undefined || options.embedder === undefined || lastUser === undefined) {
      extraHeaders['X-Mmevolve-Memory'] = 'off';
    } else {
      const text = messageText(lastUser);
      checkQueryLength(text, options.limits, 'the last user message');
      const urls = (vetted.imagesByMessage.get(lastUserIndex) ?? []).slice(0, options.limits.maxImagesPerRequest);
      const images: RgbImage[] = [];
      for (const [index, url] of urls.entries()) {
        const source = `image ${index + 1} of the last user message`;
        images.push(await decodeRequestImage(dataUrlBytes(url, source), options.limits, source, context.req.raw.signal));
      }
      endIntake(context);
      const principal = context.get('principal');
      const memory = options.store.forTenant(principal.tenant);
      asked = { tenant: principal.tenant, question: text, images: urls, model, canWrite: principal.scopes.includes('write') || principal.scopes.includes('admin') };
      const lessons = await retrieveForChat(memory, options.embedder, text, images, options.memoryConfig, context.req.raw.signal);
      extraHeaders['X-Mmevolve-Memory'] = 'on';
      extraHeaders['X-Mmevolve-Lessons'] = lessons.map((hit) => hit.lesson.id).join(',');
      if (lessons.length > 0) {
        const leadingSystem = messages.findIndex((message) => message.role !== 'system');
        const at = leadingSystem === -1 ? messages.length : leadingSystem;
        messages = [...messages.slice(0, at), { role: 'system', content: lessonSystemMessage(lessons) }, ...messages.slice(at)];
      }
    }
    endIntake(context);
    const response = await forward(upstream, '/chat/completions', {
      method: 'POST',
      headers: upstreamHeaders(upstream),
      body: JSON.stringify({ ...body, model, messages }),
      signal: context.req.raw.signal,
    });
    if (asked === undefined || options.learning === undefined) return passThrough(response, extraHeaders);
    return keepAnswer(response, asked, options.learning, options.log, body.stream === true, extraHeaders);
  });

  return routes;
}
