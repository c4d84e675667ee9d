/**
 * Segmenter over the Roboflow inference server's SAM 3 protocol (sam3-protocol.ts). prepare() runs the
 * expensive image encoder once (/sam3/embed_image) and every prompt reuses its image_id.
 */
import sharp from 'sharp';
import { isPreparedImage, mmevolveError } from '../core/index.js';
import type { Box, CallRecord, Mask, PreparedImage, RgbImage, SegmentInstance, SegmentOptions, SegmentResult, Segmenter, Warning } from '../core/index.js';
import { decodeRle, fillPolygon, maskBox } from '../vision/index.js';
import { BackendError, protocolError } from './backend-errors.js';
import { requestJson } from './json-http.js';
import type { JsonHttpOptions } from './json-http.js';
import {
  SAM3_API_KEY_PARAMETER,
  SAM3_CONCEPT_SEGMENT_PATH,
  SAM3_DEFAULT_OUTPUT_PROB_THRESH,
  SAM3_EMBED_IMAGE_PATH,
  sam3ConceptSegmentResponseSchema,
  sam3EmbedImageResponseSchema,
  toSam3Box,
} from '../protocols/index.js';
import type { Sam3ConceptSegmentRequest, Sam3MaskFormat, Sam3Prediction, Sam3Prompt } from '../protocols/index.js';
import { createThrottle } from './throttle.js';

export interface Sam3SegmenterOptions {
  /** e.g. http://localhost:9001 (the inference server's default port). */
  baseURL: string;
  apiKey?: string | undefined;
  /**
   * Where the key goes: the `api_key` query parameter, which the Roboflow inference server reads (default),
   * or `Authorization: Bearer …`, for a server behind an authenticating proxy.
   */
  apiKeyIn?: 'query' | 'bearer' | undefined;
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  concurrency?: number | undefined;
  retryBaseDelayMs?: number | undefined;
  /** Mask format requested from the server; both are parsed. */
  format?: Sam3MaskFormat | undefined;
  /** model_id sent with requests; the server default when absent. */
  modelId?: string | undefined;
  /** Prompts per concept_segment request in segmentTexts (the server caps it: SAM3_MAX_PROMPT_BATCH_SIZE). */
  maxPromptsPerRequest?: number | undefined;
  /**
   * The real server requires `image` with every segment request (image_id only selects cached embeddings).
   * false sends image_id alone, for servers that accept it (the simulated segmenter).
   */
  sendImageWithId?: boolean | undefined;
  name?: string | undefined;
  onCall?: ((record: CallRecord) => void) | undefined;
}

/** One prediction's mask at the image size: RLE decoded, or every polygon filled (OpenCV fillPoly rules). */
export function predictionMask(prediction: Sam3Prediction, width: number, height: number): Mask {
  const masks = prediction.masks;
  if (!Array.isArray(masks)) {
    const [rleHeight, rleWidth] = masks.size;
    if (rleHeight !== height || rleWidth !== width) {
      throw mmevolveError('size-mismatch', `SAM 3 returned a ${rleWidth}×${rleHeight} mask for a ${width}×${height} image`, 'The server must segment the image at its original size.');
    }
    return decodeRle({ size: [rleHeight, rleWidth], counts: masks.counts });
  }
  const mask: Mask = { width, height, data: new Uint8Array(width * height) };
  for (const polygon of masks) {
    if (polygon.length === 0) continue;
    fillPolygon(mask, polygon.map(([x, y]) => [Math.trunc(x), Math.trunc(y)] as const), 1);
  }
  return mask;
}

export function createSam3Segmenter(options: Sam3SegmenterOptions): Segmenter {
  const base = options.baseURL.replace(/\/+$/, '');
  const keyInQuery = options.apiKey !== undefined && (options.apiKeyIn ?? 'query') === 'query';
  const query = keyInQuery && options.apiKey !== undefined ? `?${SAM3_API_KEY_PARAMETER}=${encodeURIComponent(options.apiKey)}` : '';
  const format = options.format ?? 'rle';
  const sendImage = options.sendImageWithId ?? true;
  const backend = `${options.name ?? 'segmenter'}:${options.modelId ?? 'sam3'}`;
  const http: JsonHttpOptions = {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 4,
    retryBaseDelayMs: options.retryBaseDelayMs,
    ...(options.apiKey !== undefined && options.apiKeyIn === 'bearer' ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
  };
  const throttle = createThrottle({ concurrency: options.concurrency ?? 4 });
  const prepared = new WeakMap<RgbImage, Promise<PreparedImage>>();
  const modelField = options.modelId === undefined ? {} : { model_id: options.modelId };
  const batchSize = Math.max(1, options.maxPromptsPerRequest ?? 8);

  function record(stage: string, started: number, retries: number, errorCode?: string): CallRecord {
    const call: CallRecord = { stage, backend, latencyMs: performance.now() - started, promptTokens: 0, completionTokens: 0, cacheHit: false, retries, repairs: 0 };
    if (errorCode !== undefined) call.errorCode = errorCode;
    options.onCall?.(call);
    return call;
  }

  async function embed(image: RgbImage, signal?: AbortSignal): Promise<PreparedImage> {
    const started = performance.now();
    // PNG: lossless, so the server segments exactly the pixels we score against.
    const payload = (await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer()).toString('base64');
    const url = `${base}${SAM3_EMBED_IMAGE_PATH}${query}`;
    let retries = 0;
    try {
      const { value } = await throttle.run(() => requestJson(url, { image: { type: 'base64', value: payload }, ...modelField }, http, signal, () => void (retries += 1)), signal);
      const parsed = sam3EmbedImageResponseSchema.safeParse(value);
      if (!parsed.success) throw protocolError(url, `unexpected /sam3/embed_image response: ${parsed.error.message}`, 'Check that baseURL points at a SAM 3 inference server.');
      record('prepare', started, retries);
      return { kind: 'prepared-image', imageId: parsed.data.image_id, width: image.width, height: image.height, payload };
    } catch (error) {
      record('prepare', started, retries, (error as { code?: string }).code ?? 'internal');
      throw error;
    }
  }

  function prepare(image: RgbImage, signal?: AbortSignal): Promise<PreparedImage> {
    const existing = prepared.get(image);
    if (existing !== undefined) return existing;
    const pending = embed(image, signal);
    prepared.set(image, pending);
    pending.catch(() => prepared.delete(image));
    return pending;
  }

  function toInstances(predictions: readonly Sam3Prediction[], target: PreparedImage): { instances: SegmentInstance[]; warnings: Warning[] } {
    const warnings: Warning[] = [];
    const instances: SegmentInstance[] = [];
    for (const prediction of predictions) {
      const mask = predictionMask(prediction, target.width, target.height);
      const box = maskBox(mask);
      if (box === null) {
        warnings.push({ code: 'empty-mask', message: `SAM 3 returned an empty mask (confidence ${prediction.confidence})` });
        continue;
      }
      instances.push({ mask, box, score: prediction.confidence });
    }
    instances.sort((left, right) => right.score - left.score);
    return { instances, warnings };
  }

  /** One concept_segment request with several prompts; one result per prompt, in order. */
  async function segmentMany(image: RgbImage | PreparedImage, prompts: readonly Sam3Prompt[], segmentOptions: SegmentOptions | undefined): Promise<SegmentResult[]> {
    const signal = segmentOptions?.signal;
    const target = isPreparedImage(image) ? image : await prepare(image, signal);
    const started = performance.now();
    const stage = segmentOptions?.stage ?? 'segment';
    const body: Sam3ConceptSegmentRequest = {
      ...(sendImage ? { image: { type: 'base64', value: target.payload } } : {}),
      image_id: target.imageId,
      prompts: [...prompts],
      format,
      output_prob_thresh: segmentOptions?.threshold ?? SAM3_DEFAULT_OUTPUT_PROB_THRESH,
      ...modelField,
    };
    let retries = 0;
    const countRetry = (): void => void (retries += 1);
    const url = `${base}${SAM3_CONCEPT_SEGMENT_PATH}${query}`;
    try {
      let response: { value: unknown };
      try {
        response = await throttle.run(() => requestJson(url, body, http, signal, countRetry), signal);
      } catch (error) {
        // Without the image a server that evicted the cached embedding rejects the request; resend once with it.
        const status = error instanceof BackendError ? error.status : undefined;
        if (sendImage || status === undefined || status < 400 || status >= 500 || status === 429) throw error;
        retries += 1;
        response = await throttle.run(() => requestJson(url, { ...body, image: { type: 'base64', value: target.payload } }, http, signal, countRetry), signal);
      }
      const parsed = sam3ConceptSegmentResponseSchema.safeParse(response.value);
      if (!parsed.success) throw protocolError(url, `unexpected /sam3/concept_segment response: ${parsed.error.message}`, 'Check that baseURL points at a SAM 3 inference server.');
      const byIndex = new Map(parsed.data.prompt_results.map((result) => [result.prompt_index, result.predictions]));
      const call = record(stage, started, retries);
      return prompts.map((_prompt, index) => {
        const predictions = byIndex.get(index);
        const converted = toInstances(predictions ?? [], target);
        if (predictions === undefined) converted.warnings.push({ code: 'missing-prompt-result', message: `SAM 3 returned no result for prompt ${index}` });
        return { ...converted, call };
      });
    } catch (error) {
      record(stage, started, retries, (error as { code?: string }).code ?? 'internal');
      throw error;
    }
  }

  async function segment(image: RgbImage | PreparedImage, prompt: Sam3Prompt, segmentOptions: SegmentOptions | undefined): Promise<SegmentResult> {
    const [result] = await segmentMany(image, [prompt], segmentOptions);
    if (result === undefined) throw mmevolveError('internal', 'no segmentation result for a single prompt', 'Report this bug.');
    return result;
  }

  async function segmentTexts(image: RgbImage | PreparedImage, phrases: readonly string[], segmentOptions?: SegmentOptions): Promise<SegmentResult[]> {
    const target = isPreparedImage(image) ? image : await prepare(image, segmentOptions?.signal);
    const chunks: string[][] = [];
    for (let start = 0; start < phrases.length; start += batchSize) chunks.push(phrases.slice(start, start + batchSize));
    const results = await Promise.all(chunks.map((chunk) => segmentMany(target, chunk.map((text) => ({ type: 'text', text })), segmentOptions)));
    return results.flat();
  }

  return {
    model: options.modelId ?? 'sam3',
    prepare,
    segmentText: (image, phrase, segmentOptions) => segment(image, { type: 'text', text: phrase }, segmentOptions),
    segmentTexts,
    segmentBoxes: (image, boxes, labels, segmentOptions) => {
      if (boxes.length === 0 || boxes.length !== labels.length) {
        return Promise.reject(mmevolveError('invalid-input', `segmentBoxes needs one label per box (got ${boxes.length} boxes, ${labels.length} labels)`, 'Pass at least one box and a label for each.'));
      }
      const text = segmentOptions?.text;
      return segment(
        image,
        { type: 'visual', boxes: boxes.map(toSam3Box), box_labels: labels.map((label) => (label ? 1 : 0)), ...(text === undefined ? {} : { text }) },
        segmentOptions,
      );
    },
  };
}
