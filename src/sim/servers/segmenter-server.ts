/**
 * The simulated SAM 3 segmenter, speaking the Roboflow inference protocol with the request and response
 * schemas of src/protocols/sam3-protocol.ts, and encoding images exactly when the Roboflow server does
 * (inference/core/interfaces/http/http_api.py, inference/models/sam3/segment_anything3.py):
 * - `POST /sam3/concept_segment` (image required, prompts ≤ 16, output_prob_thresh, format 'rle' or
 *   'polygon' — outer contours): one image encode per request, whatever image_id says (the concept model
 *   never reads it), all prompts in that pass. A box exemplar returns every instance like the boxed object
 *   (same colour and shape), distractors included, as the server documents for exemplars.
 * - `POST /sam3/embed_image` → image_id: the interactive model's embedding cache (an encode unless cached);
 *   concept_segment does not read it.
 * - `GET /metrics` → {requests, imageEncodes, prompts, routes: {<path>: {requests, imageEncodes, prompts}},
 *   cpuSeconds (this process's user + system CPU, so a benchmark can measure the server alone), simulated}.
 * Decoded images are kept by content only to spare this process's CPU; that is not an embedding cache and
 * saves no counted encode. SIMULATED: no model runs.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { SAM3_CONCEPT_SEGMENT_PATH, SAM3_EMBED_IMAGE_PATH, fromSam3Box, sam3ConceptSegmentRequestSchema, sam3EmbedImageRequestSchema } from '../../protocols/index.js';
import type { Sam3ConceptSegmentResponse, Sam3Image, Sam3PromptResult } from '../../protocols/index.js';
import { isMmevolveError } from '../../core/index.js';
import { rleCountsToString } from '../../vision/index.js';
import { createNoiseModel, resolveSimConfig } from '../noise/index.js';
import type { NoisePresetName, SimConfig } from '../noise/index.js';
import { createRng, hashSeed } from '../world/index.js';
import { perceiveObjects } from '../perception/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { ImageCache, decodeImageBytes } from './image-input.js';
import type { SeenImage } from './image-input.js';
import { readJsonBody } from './json-body.js';
import type { JsonBody } from './json-body.js';
import { imageValue } from './image-value.js';
import type { ImageValue } from './image-value.js';
import { listen } from './listen.js';
import { rememberBounded } from './bounded-cache.js';
import { maskPolygons } from './mask-polygons.js';
import type { ListenOptions } from './listen.js';
import { segmentText } from './segmenter-logic.js';
import { segmentExemplars } from './segmenter-exemplars.js';
import { decodeSimplePng } from './segmenter-png.js';
import { sleep } from './sleep.js';

export interface SimSegmenterOptions extends ListenOptions {
  preset?: NoisePresetName;
  config?: SimConfig;
}

export interface SimSegmenterRouteMetrics {
  requests: number;
  imageEncodes: number;
  prompts: number;
}

/** Totals over all routes, and per route path. */
export interface SimSegmenterMetrics extends SimSegmenterRouteMetrics {
  routes: Record<string, SimSegmenterRouteMetrics>;
}

export interface SimSegmenterServer {
  url: string;
  metrics: SimSegmenterMetrics;
  close(): Promise<void>;
}

/** The interactive model's embeddings kept for image_id reuse (the real server has a similar bounded cache). */
const EMBEDDING_CACHE = 256;
/** Perceived base64 images kept by content hash (as many as ImageCache keeps). */
const CONTENT_CACHE = 64;

/**
 * What the segmenter keeps of an image: its perceived objects, not its pixels. Holding 256 decoded
 * 640×480 images (236 MB) made every new image land on fresh memory, and the page faults cost more than
 * decoding it (issue 4).
 */
interface PerceivedImage {
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly objects: PerceivedObject[];
}

function perceived(seen: SeenImage): PerceivedImage {
  return { key: seen.key, width: seen.image.width, height: seen.image.height, objects: seen.objects() };
}

/** User + system CPU time of this process so far, in seconds. */
function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** FastAPI/pydantic-style validation error, as the inference server returns it. */
function validationError(context: Context, issues: { path: PropertyKey[]; message: string }[]): Response {
  return context.json({ detail: issues.map((issue) => ({ type: 'value_error', loc: ['body', ...issue.path.map(String)], msg: issue.message })) }, 422);
}

export function createSimSegmenterApp(config: SimConfig): { app: Hono; metrics: SimSegmenterMetrics } {
  const noise = createNoiseModel(config.noise);
  const decoded = new ImageCache();
  const byContent = new Map<string, PerceivedImage>();
  const embeddings = new Map<string, PerceivedImage>();
  const routeMetrics = (): SimSegmenterRouteMetrics => ({ requests: 0, imageEncodes: 0, prompts: 0 });
  const metrics: SimSegmenterMetrics = {
    ...routeMetrics(),
    routes: { [SAM3_EMBED_IMAGE_PATH]: routeMetrics(), [SAM3_CONCEPT_SEGMENT_PATH]: routeMetrics() },
  };
  /** Count into the totals and the route's own figures. */
  const count = (path: string, field: keyof SimSegmenterRouteMetrics, amount = 1): void => {
    metrics[field] += amount;
    const route = (metrics.routes[path] ??= routeMetrics());
    route[field] += amount;
  };
  const app = new Hono();
  /** Reused for each fresh image's base64-decoded PNG bytes: 0.5 MB less garbage per 640×480 image (issue 4). */
  let scratch = Buffer.alloc(0);
  const scratchOf = (size: number): Buffer => (scratch.length >= size ? scratch : (scratch = Buffer.allocUnsafe(size))).subarray(0, size);

  /**
   * Base64 or data URL, keyed exactly as ImageCache.fromBase64 does, but 8-bit RGB PNGs are decoded
   * directly (segmenter-png.ts, same pixels as sharp at about half the CPU; issue 4), and perceived.
   */
  const fromBase64 = async (value: ImageValue): Promise<PerceivedImage> => {
    const key = value.payloadHash();
    const cached = byContent.get(key);
    if (cached !== undefined) return cached;
    // The PNG bytes live in the scratch buffer only while decodeSimplePng runs (synchronously); sharp,
    // which awaits, gets its own copy.
    const bytes = value.payloadBytes(scratchOf);
    const direct = decodeSimplePng(bytes);
    if (direct !== undefined) return rememberBounded(byContent, key, { key, width: direct.width, height: direct.height, objects: perceiveObjects(direct) }, CONTENT_CACHE);
    const image = await decodeImageBytes(Buffer.from(bytes));
    return rememberBounded(byContent, key, { key, width: image.width, height: image.height, objects: perceiveObjects(image) }, CONTENT_CACHE);
  };
  // URLs: data URLs or loopback only (ImageCache refuses anything else).
  const decode = async (image: Sam3Image, value: ImageValue): Promise<PerceivedImage> =>
    image.type === 'url' && !value.isDataUrl ? perceived(await decoded.fromUrl(value.text())) : fromBase64(value);

  /**
   * The interactive model's embedding: cached by image_id, else "encoded" (counted) and cached. `body`
   * gives the image's value as bytes when the body parser kept it so (json-body.ts).
   */
  const embed = async (image: Sam3Image | undefined, imageId: string | null | undefined, body: JsonBody): Promise<{ id: string; seen: PerceivedImage } | undefined> => {
    if (imageId !== undefined && imageId !== null) {
      const cached = embeddings.get(imageId);
      if (cached !== undefined) return { id: imageId, seen: cached };
    }
    if (image === undefined) return undefined;
    const value = imageValue(image.value, body.imageBytes(image.value));
    const seen = await decode(image, value);
    count(SAM3_EMBED_IMAGE_PATH, 'imageEncodes');
    // A plain base64 payload is hashed already: its cache key is the SHA-1 of exactly this string.
    const plain = image.type === 'base64' && !value.isDataUrl;
    const id = imageId ?? (plain ? seen.key : value.valueHash()).slice(0, 32);
    rememberBounded(embeddings, id, seen, EMBEDDING_CACHE);
    return { id, seen };
  };

  app.post(SAM3_EMBED_IMAGE_PATH, async (context) => {
    count(SAM3_EMBED_IMAGE_PATH, 'requests');
    const started = performance.now();
    const json = await readJsonBody(context);
    const parsed = sam3EmbedImageRequestSchema.safeParse(json.value);
    if (!parsed.success) return validationError(context, parsed.error.issues);
    try {
      const embedding = await embed(parsed.data.image, parsed.data.image_id, json);
      if (embedding === undefined) return validationError(context, [{ path: ['image'], message: 'image is required unless image_id is cached' }]);
      const { width, height } = embedding.seen;
      return context.json({ image_id: embedding.id, time: (performance.now() - started) / 1000, image_shape: [height, width] });
    } catch (error) {
      return validationError(context, [{ path: ['image'], message: isMmevolveError(error) ? error.message : 'unreadable image' }]);
    }
  });

  app.post(SAM3_CONCEPT_SEGMENT_PATH, async (context) => {
    count(SAM3_CONCEPT_SEGMENT_PATH, 'requests');
    const started = performance.now();
    const json = await readJsonBody(context);
    const parsed = sam3ConceptSegmentRequestSchema.safeParse(json.value);
    if (!parsed.success) return validationError(context, parsed.error.issues);
    const request = parsed.data;
    let seen: PerceivedImage;
    try {
      // image_id is ignored, as by the real concept model: every request is one encode of its image.
      seen = await decode(request.image, imageValue(request.image.value, json.imageBytes(request.image.value)));
    } catch (error) {
      return validationError(context, [{ path: ['image'], message: isMmevolveError(error) ? error.message : 'unreadable image' }]);
    }
    count(SAM3_CONCEPT_SEGMENT_PATH, 'imageEncodes');
    await sleep(noise.latencyMs(createRng(metrics.requests)));
    const { objects } = seen;
    const size = { width: seen.width, height: seen.height };
    const promptResults: Sam3PromptResult[] = request.prompts.map((prompt, promptIndex) => {
      count(SAM3_CONCEPT_SEGMENT_PATH, 'prompts');
      // Seeded by the image and the prompt alone, so batching prompts does not change any prompt's answer.
      const rng = createRng(hashSeed(`${seen.key}:${JSON.stringify(prompt)}`, config.seed));
      const boxes = prompt.boxes ?? [];
      const instances =
        boxes.length > 0
          ? segmentExemplars(boxes.map(fromSam3Box), (prompt.box_labels ?? []).map((label) => label === 1 || label === true), objects, size, noise, rng)
          : segmentText(prompt.text ?? '', objects, size, noise, rng);
      const threshold = prompt.output_prob_thresh ?? request.output_prob_thresh;
      return {
        prompt_index: promptIndex,
        echo: { prompt_index: promptIndex, type: boxes.length > 0 ? 'visual' : 'text', text: prompt.text ?? null, num_boxes: boxes.length },
        predictions: instances
          .filter((instance) => instance.confidence >= threshold)
          .sort((a, b) => b.confidence - a.confidence)
          .map((instance) => {
            if (request.format === 'polygon') return { masks: maskPolygons(instance.mask), confidence: instance.confidence, format: 'polygon' };
            return { masks: { size: [seen.height, seen.width], counts: rleCountsToString(instance.rleCounts()) }, confidence: instance.confidence, format: 'rle' };
          }),
      };
    });
    const body: Sam3ConceptSegmentResponse = { prompt_results: promptResults, time: (performance.now() - started) / 1000 };
    return context.json(body);
  });

  app.get('/metrics', (context) => context.json({ ...metrics, cpuSeconds: processCpuSeconds(), simulated: true }));
  app.notFound((context) => context.json({ detail: `Not Found (simulated segmenter serves ${SAM3_EMBED_IMAGE_PATH}, ${SAM3_CONCEPT_SEGMENT_PATH}, /metrics)` }, 404));
  return { app, metrics };
}

/** Start the simulated segmenter on loopback (port 0 = a free port). */
export async function startSimSegmenterServer(options: SimSegmenterOptions = {}): Promise<SimSegmenterServer> {
  const config = options.config ?? resolveSimConfig({}, options.preset === undefined ? {} : { preset: options.preset });
  const { app, metrics } = createSimSegmenterApp(config);
  const listening = await listen(app, options);
  return { url: listening.url, metrics, close: listening.close };
}
