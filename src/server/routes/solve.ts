/**
 * POST /v1/solve: one visual question through the dual-stream memory method (solveWithMemory) for the
 * key's tenant. With a gold `answer`, a wrong answer writes lessons (the key needs the write scope);
 * several images are placed side by side, because the method reasons over one image.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { missingEmbedder } from '../../app/index.js';
import type { Backends } from '../../backends/index.js';
import type { Embedder, MemoryStore, RgbImage } from '../../core/index.js';
import { deepMerge, mmevolveError } from '../../core/index.js';
import { parseMemoryMethodConfig, solveWithMemory } from '../../memory/index.js';
import type { MemoryMethodConfig, MemoryProblem } from '../../memory/index.js';
import { sideBySide } from '../../vision/index.js';
import { apiError } from '../api-errors.js';
import { requireScope } from '../auth.js';
import { readImageRequest } from '../image-request.js';
import type { ServerLimits } from '../limits.js';
import { checkQueryLength } from '../limits.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import { requireEmbedder } from '../workspace-embedder.js';

export const solveBodySchema = z.strictObject({
  question: z.string().min(1),
  /** data: URLs (JSON bodies); multipart bodies send files instead. */
  image: z.string().optional(),
  images: z.array(z.string()).optional(),
  options: z.array(z.string().max(2000)).max(26).default([]),
  /** Gold answer (a letter for multiple choice): the answer is verified, and lessons written when wrong. */
  answer: z.string().max(2000).optional(),
  mode: z.enum(['memory', 'baseline', 'step']).default('memory'),
  /** Write lessons on a wrong answer (default: when the key has the write scope). */
  learn: z.boolean().optional(),
  ablate: z.enum(['visual', 'logic']).optional(),
  subject: z.string().max(500).optional(),
  /** Problem id for provenance (default: a random one). */
  id: z.string().max(200).optional(),
  imageRef: z.string().max(2000).optional(),
  /** Memory method knobs (src/memory/method/config.ts) over the server's own `memory` config section. */
  config: z.record(z.string(), z.unknown()).optional(),
});

export const SOLVE_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/solve',
    summary: 'Answer a visual question with the memory method (lessons retrieved for the tenant; with a gold answer, lessons written when wrong). JSON with data: URLs or multipart (file field "image").',
    scope: 'solve',
    body: solveBodySchema,
  },
];

export interface SolveRouteOptions {
  backends: Backends | undefined;
  /** The server's memory method settings (config file `memory` section); requests override fields. */
  memoryConfig: MemoryMethodConfig;
  store: MemoryStore;
  embedder: Embedder | undefined;
  limits: ServerLimits;
}

function combine(images: RgbImage[]): RgbImage {
  const [first] = images;
  if (first === undefined) throw mmevolveError('invalid-input', 'no image', 'send an image');
  return images.length === 1 ? first : sideBySide(images);
}

export function solveRoutes(options: SolveRouteOptions): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.post('/', requireScope('solve'), async (context) => {
    const principal = context.get('principal');
    const { fields, images } = await readImageRequest(context, solveBodySchema, (body) => [...(body.image === undefined ? [] : [body.image]), ...(body.images ?? [])], options.limits, 'solve request');
    checkQueryLength(fields.question, options.limits, 'question');
    const mllm = options.backends?.mllm;
    if (mllm === undefined) throw mmevolveError('backend-not-configured', 'no MLLM backend is configured', 'Add backends.mllm to mmevolve.config.* and restart mmevolve serve.');
    const canWrite = principal.scopes.includes('write') || principal.scopes.includes('admin');
    if (fields.learn === true && !canWrite) throw apiError('forbidden', 'learn: true writes lessons, and this key lacks the "write" scope', 'Use a key with the write scope, or leave learn out.');
    const learn = fields.learn ?? canWrite;
    const embedder = fields.mode === 'memory' ? requireEmbedder(options.store, options.embedder) : options.embedder;
    const problem: MemoryProblem = {
      id: fields.id ?? `api-${randomUUID()}`,
      question: fields.question,
      options: fields.options,
      image: combine(images),
      imageRef: fields.imageRef ?? 'uploaded',
      ...(fields.answer === undefined ? {} : { answer: fields.answer }),
      ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    };
    // No abort on client disconnect: a solve that reached the lesson writers finishes its writes. A solve
    // that fails (a backend outage mid-way) writes nothing: the method stores a failure's lessons in one transaction.
    const result = await solveWithMemory(problem, {
      mllm,
      // Baseline and step never embed.
      embedder: embedder ?? missingEmbedder(),
      mode: fields.mode,
      learn,
      memory: options.store.forTenant(principal.tenant),
      ...(options.backends?.judge === undefined ? {} : { judge: options.backends.judge }),
      config: fields.config === undefined ? options.memoryConfig : parseMemoryMethodConfig(deepMerge(options.memoryConfig, fields.config), 'config'),
      ...(fields.ablate === undefined ? {} : { ablate: fields.ablate }),
    });
    const warnings = images.length > 1 ? [...result.warnings, { code: 'images-combined', message: `${images.length} images were placed side by side (the method reasons over one image)` }] : result.warnings;
    return context.json({ ...result, reasoning: result.response, learned: learn, warnings });
  });
  return routes;
}
