/**
 * The simulated MLLM: an OpenAI-compatible server (`POST /v1/chat/completions`, `GET /v1/models`) that
 * answers every task of src/core/tasks.ts from the pixels it receives, with the configured noise.
 * Everything it returns is SIMULATED; the model id says so ("sim-<profile>").
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { getProfile } from '../../protocols/index.js';
import { isMmevolveError, messageText, taskFromRequest } from '../../core/index.js';
import { createNoiseModel, resolveSimConfig, simFingerprint } from '../noise/index.js';
import { patchSide } from '../perception/index.js';
import type { ModelRole, NoiseModel, NoisePresetName, SimConfig } from '../noise/index.js';
import { createRng, hashSeed } from '../world/index.js';
import type { Rng } from '../world/index.js';
import { chatRequestSchema } from './chat-request.js';
import type { ChatRequestBody } from './chat-request.js';
import { ImageCache } from './image-input.js';
import type { SeenImage } from './image-input.js';
import { listen } from './listen.js';
import type { ListenOptions } from './listen.js';
import { completionBody, sseBody } from './mllm-response.js';
import { answerTask } from './mllm-tasks.js';
import { NOT_JSON_BODY, RATE_LIMIT_BODY, SERVER_ERROR_BODY, invalidRequest, openAiError, readJson } from './openai-errors.js';
import { sleep } from './sleep.js';
import type { ChatTurn } from './task-context.js';

export interface SimMllmOptions extends ListenOptions {
  preset?: NoisePresetName;
  /** A resolved config (from --config); wins over `preset`. */
  config?: SimConfig;
}

export interface SimMllmMetrics {
  requests: number;
  completions: number;
  byTask: Record<string, number>;
  rateLimited: number;
  serverErrors: number;
  stalls: number;
  promptTokens: number;
  completionTokens: number;
}

export interface SimMllmServer {
  url: string;
  modelId: string;
  metrics: SimMllmMetrics;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

async function readTurns(body: ChatRequestBody, cache: ImageCache): Promise<ChatTurn[]> {
  const turns: ChatTurn[] = [];
  for (const [messageIndex, message] of body.messages.entries()) {
    const images: SeenImage[] = [];
    const imageLabels: (string | undefined)[] = [];
    if (Array.isArray(message.content)) {
      for (const [partIndex, part] of message.content.entries()) {
        if (part.type !== 'image_url') continue;
        try {
          images.push(await cache.fromUrl(part.image_url.url));
        } catch (error) {
          const reason = isMmevolveError(error) ? error.message : 'unreadable image';
          throw new RequestError(`messages.${messageIndex}.content.${partIndex}.image_url.url`, reason);
        }
        // What a model reads right before an image: a video frame's timestamp, as Qwen3-VL's cookbooks send it.
        const before = message.content[partIndex - 1];
        imageLabels.push(before?.type === 'text' ? before.text : undefined);
      }
    }
    turns.push({ role: message.role, text: messageText(message.content), images, imageLabels });
  }
  return turns;
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function createSimMllmApp(config: SimConfig): { app: Hono; metrics: SimMllmMetrics; modelId: string } {
  const profile = getProfile(config.profile);
  const modelId = `sim-${profile.name}`;
  const noise: NoiseModel = createNoiseModel(config.noise);
  // The model sees through its encoder's patches: objects smaller than one patch lose their shape (perception/acuity.ts).
  const cache = new ImageCache({ acuity: (size) => patchSide(profile, size) });
  const attempts = new Map<string, number>();
  const metrics: SimMllmMetrics = { requests: 0, completions: 0, byTask: {}, rateLimited: 0, serverErrors: 0, stalls: 0, promptTokens: 0, completionTokens: 0 };
  const app = new Hono();

  // root (as vLLM's model card) and system_fingerprint identify the configuration: a client's response
  // cache keys on them, so answers of one preset, seed or noise override never replay for another.
  const fingerprint = simFingerprint(config);
  app.get('/v1/models', (context) =>
    context.json({
      object: 'list',
      data: [{ id: modelId, object: 'model', created: 0, owned_by: 'mmevolve-simulated', root: `mmevolve-sim/${profile.name}/${config.preset}`, system_fingerprint: fingerprint }],
    }),
  );

  app.post('/v1/chat/completions', async (context: Context) => {
    metrics.requests += 1;
    const json = await readJson(context);
    if (!json.ok) return context.json(NOT_JSON_BODY, 400);
    const parsed = chatRequestSchema.safeParse(json.value);
    if (!parsed.success) return context.json(invalidRequest(parsed.error), 400);
    const body = parsed.data;
    if (body.model !== modelId) {
      return context.json(openAiError(`The model \`${body.model}\` does not exist (this simulated server serves \`${modelId}\`).`, 'invalid_request_error', 'model', 'model_not_found'), 404);
    }
    const digest = createHash('sha1').update(JSON.stringify(json.value)).digest('hex');
    // Answers depend on the request (and its seed) only; failures also on the attempt number, so a
    // client that retries a 429 gets a fresh draw.
    const attempt = (attempts.get(digest) ?? 0) + 1;
    attempts.set(digest, attempt);
    if (attempts.size > 10_000) attempts.clear();
    const failureRng = createRng(hashSeed(`${digest}:${attempt}`, config.seed));
    const failure = noise.failure(failureRng);
    if (failure === 'rate-limit') {
      metrics.rateLimited += 1;
      return context.json(RATE_LIMIT_BODY, 429);
    }
    if (failure === 'server-error') {
      metrics.serverErrors += 1;
      return context.json(SERVER_ERROR_BODY, 500);
    }
    if (failure === 'stall') {
      metrics.stalls += 1;
      await sleep(config.noise.failures.stallMs);
    }
    await sleep(noise.latencyMs(failureRng));

    let turns: ChatTurn[];
    try {
      turns = await readTurns(body, cache);
    } catch (error) {
      if (error instanceof RequestError) return context.json(openAiError(error.message, 'invalid_request_error', error.param, 'invalid_image_url'), 400);
      throw error;
    }
    const task = taskFromRequest(json.value);
    const lastUser = [...turns].reverse().find((turn) => turn.role === 'user');
    const requestSeed = hashSeed(digest, config.seed);
    const latent = (role: ModelRole, image: SeenImage | undefined, subject: string): Rng =>
      createRng(hashSeed(`latent|${role}|${image?.key ?? 'no-image'}|${subject.trim().toLowerCase().replace(/\s+/g, ' ')}`, config.seed));
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const choices = Array.from({ length: body.n ?? 1 }, (_, index) => {
      const rng = createRng(hashSeed(`choice:${index}`, requestSeed));
      const choice = answerTask(task, { text: lastUser?.text ?? '', images: lastUser?.images ?? [], imageLabels: lastUser?.imageLabels ?? [], turns, noise, rng, latent, profile });
      // Like a real server, stop at max_tokens (≈ 4 characters per token here) with finish_reason "length".
      if (maxTokens !== undefined && estimateTokens(choice.content) > maxTokens) return { content: choice.content.slice(0, maxTokens * 4), finishReason: 'length' as const };
      return choice;
    });
    const imageTokens = turns.flatMap((turn) => turn.images).reduce((sum, seen) => sum + (profile.imageTokens(seen.image) ?? 256), 0);
    const promptTokens = turns.reduce((sum, turn) => sum + estimateTokens(turn.text), 0) + imageTokens;
    const completionTokens = choices.reduce((sum, choice) => sum + estimateTokens(choice.content), 0);
    metrics.completions += choices.length;
    metrics.byTask[task ?? 'unknown'] = (metrics.byTask[task ?? 'unknown'] ?? 0) + 1;
    metrics.promptTokens += promptTokens;
    metrics.completionTokens += completionTokens;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-sim-${digest.slice(0, 24)}`;
    if (body.stream === true) {
      return new Response(sseBody(id, modelId, choices, body.stream_options?.include_usage === true ? usage : undefined, fingerprint), {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      });
    }
    return context.json(completionBody(id, modelId, choices, usage, fingerprint));
  });

  app.notFound((context) => context.json(openAiError(`Unknown path ${context.req.path} (simulated MLLM serves /v1/chat/completions and /v1/models).`, 'invalid_request_error', null, 'unknown_url'), 404));
  return { app, metrics, modelId };
}

/** Start the simulated MLLM on loopback (port 0 = a free port). */
export async function startSimMllmServer(options: SimMllmOptions = {}): Promise<SimMllmServer> {
  const config = options.config ?? resolveSimConfig({}, options.preset === undefined ? {} : { preset: options.preset });
  const { app, metrics, modelId } = createSimMllmApp(config);
  const listening = await listen(app, options);
  return { url: listening.url, modelId, metrics, close: listening.close };
}
