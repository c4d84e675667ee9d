/**
 * mmevolve as an OpenAI-compatible segmentation "model", for harnesses that only speak chat completions.
 * lmms-eval's SA-Co task (tasks/saco: doc_to_text = the expression, one image) sent through its OpenAI model
 * (models/simple/openai.py: one user message with a text part and an `image_url` data URL) reaches
 * POST /v1/chat/completions with `model: "mmevolve-segment"` (or `mmevolve-segment:<method>`); the answer's
 * `message.content` is the JSON that tasks/saco/utils.py parse_predicted_masks reads:
 * `{"masks": [COCO RLE], "boxes": [[x1, y1, x2, y2]], "scores": [...]}`. Our methods return one mask; its
 * 8-connected components are the instances (as our SA-Co scoring counts them), each with its pixel box
 * (corners, exclusive) and score 1. "Nothing matches" is three empty lists.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Backends } from '../../backends/index.js';
import { mmevolveError } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { SEGMENTATION_METHODS, methodNeedsMllm, runSegmentation } from '../../evolve/index.js';
import type { SegmentationMethod } from '../../evolve/index.js';
import { connectedComponents, encodeRle, maskBox } from '../../vision/index.js';
import { apiError } from '../api-errors.js';
import type { EvolveDefaults } from '../evolve-defaults.js';
import { requestEvolve } from '../evolve-defaults.js';
import { dataUrlBytes, decodeRequestImage } from '../image-input.js';
import type { ServerLimits } from '../limits.js';
import { checkQueryLength } from '../limits.js';
import type { ServerEnv } from '../principal.js';
import { vetChatMessages } from '../proxy-images.js';
import type { ChatMessage } from '../proxy-images.js';
import { endIntake } from '../tenant-intake.js';

export const SEGMENTATION_MODEL = 'mmevolve-segment';

export interface SegmentationModelOptions {
  backends: Backends | undefined;
  evolve: EvolveDefaults;
  limits: ServerLimits;
}

/**
 * The model ids this server answers itself, for GET /v1/models: `mmevolve-segment` (the evol method) and
 * `mmevolve-segment:<method>` for every method the configured backends can run; none without a segmenter.
 */
export function segmentationModelEntries(backends: Backends | undefined): { id: string; object: 'model'; created: number; owned_by: string }[] {
  if (backends?.segmenter === undefined) return [];
  const runnable = SEGMENTATION_METHODS.filter((method) => backends.mllm !== undefined || !methodNeedsMllm(method));
  const ids = [...(runnable.includes('evol') ? [SEGMENTATION_MODEL] : []), ...runnable.map((method) => `${SEGMENTATION_MODEL}:${method}`)];
  return ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'mmevolve' }));
}

/** The method a model id asks for, or null when the id is not ours (the request goes to the MLLM server). */
export function segmentationModelMethod(model: string): SegmentationMethod | null {
  if (model === SEGMENTATION_MODEL) return 'evol';
  if (!model.startsWith(`${SEGMENTATION_MODEL}:`)) return null;
  const method = model.slice(SEGMENTATION_MODEL.length + 1);
  if (!(SEGMENTATION_METHODS as readonly string[]).includes(method)) {
    throw mmevolveError('invalid-input', `unknown segmentation method "${method}" in model "${model}"`, `Use ${SEGMENTATION_MODEL} or ${SEGMENTATION_MODEL}:<method> with one of ${SEGMENTATION_METHODS.join(', ')}.`);
  }
  return method as SegmentationMethod;
}

interface ChatBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | undefined;
}

function textOf(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return message.content.flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : [])).join('\n').trim();
}

/** The SA-Co answer for one mask: its connected components as instances. */
export function instancesAnswer(mask: Parameters<typeof connectedComponents>[0]): { masks: ReturnType<typeof encodeRle>[]; boxes: number[][]; scores: number[] } {
  const components = connectedComponents(mask);
  return {
    masks: components.map((component) => encodeRle(component)),
    boxes: components.map((component) => [...(maskBox(component) ?? [0, 0, 0, 0])]),
    scores: components.map(() => 1),
  };
}

export async function answerSegmentationChat(context: Context<ServerEnv>, body: ChatBody, method: SegmentationMethod, options: SegmentationModelOptions): Promise<Response> {
  // The proxy route checks the "solve" scope; running a segmentation also needs "segment", as /v1/segment does.
  const principal = context.get('principal');
  if (!principal.scopes.includes('segment') && !principal.scopes.includes('admin')) {
    throw apiError('forbidden', `this key lacks the "segment" scope that ${body.model} needs`, `Create a key with --scopes including segment (this key has: ${principal.scopes.join(', ')}).`);
  }
  if (body.stream === true) {
    throw mmevolveError('invalid-input', `${body.model} does not stream`, 'Send stream: false (lmms-eval does by default).');
  }
  const { mllm, segmenter, judge } = options.backends ?? {};
  if (segmenter === undefined || (mllm === undefined && methodNeedsMllm(method))) {
    throw mmevolveError('backend-not-configured', 'segmentation needs an MLLM and a segmenter backend', 'Add backends.mllm and backends.segmenter to mmevolve.config.* and restart mmevolve serve.');
  }
  const lastUserIndex = body.messages.findLastIndex((message) => message.role === 'user');
  const lastUser = body.messages[lastUserIndex];
  if (lastUser === undefined) throw mmevolveError('invalid-input', 'no user message', 'Send the expression and the image in one user message.');
  const query = textOf(lastUser);
  if (query === '') throw mmevolveError('invalid-input', 'the user message has no text', 'Send the referring expression as a text part.');
  checkQueryLength(query, options.limits, 'the expression');
  const vetted = await vetChatMessages(body.messages, options.limits, context.req.raw.signal);
  const urls = vetted.imagesByMessage.get(lastUserIndex) ?? [];
  if (urls.length !== 1) throw mmevolveError('invalid-input', `${body.model} takes exactly one image, got ${urls.length}`, 'Send one image_url part in the user message.');
  const image: RgbImage = await decodeRequestImage(dataUrlBytes(urls[0] as string, 'the image'), options.limits, 'the image', context.req.raw.signal);
  // Inputs read: the tenant's other requests may be read while this one waits on the models.
  endIntake(context);
  const { config } = requestEvolve(options.evolve, undefined, {});
  const result = await runSegmentation(method, image, query, {
    backends: { segmenter, ...(mllm === undefined ? {} : { mllm }), ...(judge === undefined ? {} : { judge }) },
    config,
    signal: context.req.raw.signal,
  });
  const answer = result.noTarget ? { masks: [], boxes: [], scores: [] } : instancesAnswer(result.mask);
  const promptTokens = result.calls.reduce((sum, call) => sum + call.promptTokens, 0);
  const completionTokens = result.calls.reduce((sum, call) => sum + call.completionTokens, 0);
  return context.json({
    id: `chatcmpl-mmevolve-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answer) }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  });
}
