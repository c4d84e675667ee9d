/**
 * POST /v1/segment: a reasoning-segmentation query on one image (evol or a baseline) → the mask as COCO
 * RLE and PNG, an overlay PNG and the full trace. With `Accept: text/event-stream` the progress events
 * (planning, each phrase, each fight, each generation, the arbitration) stream as SSE and the result
 * arrives as the last `result` event. Segmentation writes nothing, so a client that leaves cancels it.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Backends } from '../../backends/index.js';
import { isMmevolveError, mmevolveError } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { DATASET_KINDS, EVOLVE_PRESET_NAMES, SEGMENTATION_METHODS, methodNeedsMllm, runSegmentation } from '../../evolve/index.js';
import type { EvolveConfig, EvolvePresetName, SegmentationBackends, SegmentationEvent, SegmentationMethod, SegmentationResult } from '../../evolve/index.js';
import { encodeImage, encodeMaskPng, renderOverlay } from '../../vision/index.js';
import { errorBody } from '../api-errors.js';
import type { ErrorLogger } from '../api-errors.js';
import { requireScope } from '../auth.js';
import { requestEvolve } from '../evolve-defaults.js';
import type { EvolveDefaults } from '../evolve-defaults.js';
import { readImageRequest } from '../image-request.js';
import type { ServerLimits } from '../limits.js';
import { checkQueryLength } from '../limits.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import { segmentResponseSchema } from '../api-schemas.js';
import type { SegmentResponse } from '../api-schemas.js';
import { checkedResponse, sendJson } from '../send-json.js';

const methodSchema = z.enum(SEGMENTATION_METHODS as readonly [SegmentationMethod, ...SegmentationMethod[]]);

export const segmentBodySchema = z.strictObject({
  query: z.string().min(1),
  /** A data: URL (JSON bodies); multipart bodies send the file field "image" instead. */
  image: z.string().optional(),
  method: methodSchema.default('evol'),
  /** Default: the server's evolve preset (its config's evolve.preset, else DEFAULT_EVOLVE_PRESET). */
  preset: z.enum(EVOLVE_PRESET_NAMES).optional(),
  /** Evolve config overrides on top of the preset and the server config's evolve section (any field of the evolve config). */
  config: z.record(z.string(), z.unknown()).default({}),
  isSentence: z.boolean().optional(),
  /** reasonseg (default) or refcoco: an inconsistent final verdict falls back to text or box. */
  datasetKind: z.enum(DATASET_KINDS).optional(),
  queryVariants: z.array(z.string().max(2000)).max(10).optional(),
});

export const SEGMENT_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/segment',
    summary:
      'Segment what a query describes: mask (COCO RLE + PNG base64), overlay PNG, trace. `Accept: text/event-stream` streams progress events (segmentation-start, planning-*, generation-*, phrase-evaluated, fight-end, mutation-end, arbitration-*, segmentation-end) then `result`.',
    scope: 'segment',
    body: segmentBodySchema,
    streams: true,
  },
];

export interface SegmentRouteOptions {
  backends: Backends | undefined;
  evolve: EvolveDefaults;
  limits: ServerLimits;
  log: ErrorLogger;
}


function segmentationBackends(backends: Backends | undefined, method: SegmentationMethod): SegmentationBackends {
  const { mllm, segmenter } = backends ?? {};
  if (segmenter === undefined || (mllm === undefined && methodNeedsMllm(method))) {
    throw mmevolveError('backend-not-configured', 'segmentation needs an MLLM and a segmenter backend', 'Add backends.mllm and backends.segmenter to mmevolve.config.* and restart mmevolve serve.');
  }
  return { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(backends?.judge === undefined ? {} : { judge: backends.judge }) };
}

async function describe(result: SegmentationResult, image: RgbImage, query: string, backends: SegmentationBackends, settings: { preset: EvolvePresetName; evolve: EvolveConfig }): Promise<SegmentResponse> {
  const area = result.mask.data.reduce((sum, value) => sum + (value > 0 ? 1 : 0), 0);
  const response: SegmentResponse = {
    method: result.method,
    settings,
    query,
    width: image.width,
    height: image.height,
    mask: { rle: result.rle, png: (await encodeMaskPng(result.mask)).toString('base64'), area },
    overlay: { png: (await encodeImage(renderOverlay(image, result.mask), 'png')).toString('base64') },
    models: { mllm: backends.mllm?.model ?? null, judge: (backends.judge ?? backends.mllm)?.model ?? null, segmenter: backends.segmenter.model },
    trace: result.trace,
    counters: result.counters,
    calls: result.calls.length,
    warnings: result.warnings,
  };
  if (result.box !== undefined) response.box = result.box;
  if (result.phrase !== undefined) response.phrase = result.phrase;
  return response;
}

export function segmentRoutes(options: SegmentRouteOptions): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.post('/', requireScope('segment'), async (context) => {
    const { fields, images } = await readImageRequest(context, segmentBodySchema, (body) => (body.image === undefined ? [] : [body.image]), options.limits, 'segment request');
    checkQueryLength(fields.query, options.limits, 'query');
    const [image] = images;
    if (image === undefined || images.length > 1) throw mmevolveError('invalid-input', 'segment takes exactly one image', 'Send one image.');
    const backends = segmentationBackends(options.backends, fields.method);
    const { preset, config } = requestEvolve(options.evolve, fields.preset, fields.config);
    const settings = { preset, evolve: config };
    const run = (onEvent: ((event: SegmentationEvent) => void) | undefined, signal: AbortSignal) =>
      runSegmentation(fields.method, image, fields.query, {
        backends,
        config,
        signal,
        ...(onEvent === undefined ? {} : { onEvent }),
        ...(fields.isSentence === undefined ? {} : { isSentence: fields.isSentence }),
        ...(fields.datasetKind === undefined ? {} : { datasetKind: fields.datasetKind }),
        ...(fields.queryVariants === undefined ? {} : { queryVariants: fields.queryVariants }),
      });

    if (!(context.req.header('accept') ?? '').includes('text/event-stream')) {
      const result = await run(undefined, context.req.raw.signal);
      return sendJson(context, segmentResponseSchema, await describe(result, image, fields.query, backends, settings), 'segment');
    }

    return streamSSE(context, async (sse) => {
      const controller = new AbortController();
      sse.onAbort(() => controller.abort());
      let pending = Promise.resolve();
      let sequence = 0;
      const send = (event: string, data: unknown): Promise<void> => {
        sequence += 1;
        const id = String(sequence);
        pending = pending.then(() => sse.writeSSE({ event, data: JSON.stringify(data), id }));
        return pending;
      };
      try {
        const result = await run((event) => void send(event.type, event), controller.signal);
        await send('result', checkedResponse(segmentResponseSchema, await describe(result, image, fields.query, backends, settings), 'segment'));
      } catch (error) {
        if (controller.signal.aborted) return;
        if (!isMmevolveError(error)) options.log('segment stream failed', error);
        const shown = isMmevolveError(error) ? error : mmevolveError('internal', 'internal server error', 'The server log has the details.');
        await send('error', errorBody(shown));
      }
      await pending;
    });
  });
  return routes;
}
