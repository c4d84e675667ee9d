/**
 * Segmenter over the Roboflow inference server's SAM 3 concept route (sam3-protocol.ts). The server encodes
 * the image once per /sam3/concept_segment request and runs all of the request's prompts in that pass; it
 * never reads image_id. So prepare() only PNG-encodes the image on our side (no /sam3/embed_image: that
 * loads the interactive model, whose cache concept_segment does not use), and segmentPrompts() puts up to
 * SAM3_MAX_PROMPT_BATCH_SIZE prompts in each request: a batch of n prompts costs ceil(n / 16) encodes.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { isPreparedImage, mmevolveError } from '../core/index.js';
import type { CallRecord, Mask, PreparedImage, RgbImage, SegmentInstance, SegmentOptions, SegmentPrompt, SegmentResult, Segmenter, Warning } from '../core/index.js';
import { decodeRle, fillPolygon, maskBox } from '../vision/index.js';
import { protocolError } from './backend-errors.js';
import { requestJson } from './json-http.js';
import type { JsonHttpOptions } from './json-http.js';
import {
  SAM3_API_KEY_PARAMETER,
  SAM3_CONCEPT_SEGMENT_PATH,
  SAM3_DEFAULT_OUTPUT_PROB_THRESH,
  SAM3_MAX_PROMPT_BATCH_SIZE,
  sam3ConceptSegmentResponseSchema,
  toSam3Box,
} from '../protocols/index.js';
import type { Sam3ConceptSegmentRequest, Sam3MaskFormat, Sam3Prediction, Sam3Prompt } from '../protocols/index.js';
import { createThrottle } from './throttle.js';
import { withByteBodies } from './byte-body-fetch.js';

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
  /** Prompts per concept_segment request (the server refuses more than its SAM3_MAX_PROMPT_BATCH_SIZE, default 16). */
  maxPromptsPerRequest?: number | undefined;
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
  const backend = `${options.name ?? 'segmenter'}:${options.modelId ?? 'sam3'}`;
  const http: JsonHttpOptions = {
    fetch: options.fetch ?? withByteBodies(globalThis.fetch),
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 4,
    retryBaseDelayMs: options.retryBaseDelayMs,
    ...(options.apiKey !== undefined && options.apiKeyIn === 'bearer' ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
  };
  const throttle = createThrottle({ concurrency: options.concurrency ?? 4 });
  /**
   * Prepared images by pixel buffer and size (images are immutable once handed to a client): a copy of an
   * RgbImage that shares its pixels (the published per-prompt path) gets the same PNG without encoding it
   * again — the request bytes are the same either way, and the server still encodes once per request.
   */
  const prepared = new WeakMap<Uint8Array, Map<string, Promise<PreparedImage>>>();
  const modelField = options.modelId === undefined ? {} : { model_id: options.modelId };
  const batchSize = Math.max(1, options.maxPromptsPerRequest ?? SAM3_MAX_PROMPT_BATCH_SIZE);

  function record(stage: string, started: number, retries: number, errorCode?: string): CallRecord {
    const call: CallRecord = { stage, backend, latencyMs: performance.now() - started, promptTokens: 0, completionTokens: 0, cacheHit: false, retries, repairs: 0 };
    if (errorCode !== undefined) call.errorCode = errorCode;
    options.onCall?.(call);
    return call;
  }

  /** PNG (lossless, so the server segments exactly the pixels we score against), encoded once per image. */
  async function encode(image: RgbImage): Promise<PreparedImage> {
    const payload = (await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer()).toString('base64');
    const imageId = createHash('sha1').update(payload).digest('hex').slice(0, 32);
    return { kind: 'prepared-image', imageId, width: image.width, height: image.height, payload };
  }

  function prepare(image: RgbImage, signal?: AbortSignal): Promise<PreparedImage> {
    let bySize = prepared.get(image.data);
    if (bySize === undefined) {
      bySize = new Map();
      prepared.set(image.data, bySize);
    }
    const size = `${image.width}x${image.height}`;
    const existing = bySize.get(size);
    if (existing !== undefined) return existing;
    signal?.throwIfAborted();
    const pending = encode(image);
    bySize.set(size, pending);
    // A failed encode must not be remembered.
    pending.catch(() => bySize.delete(size));
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

  function wirePrompt(prompt: SegmentPrompt): Sam3Prompt {
    if (prompt.kind === 'text') return { type: 'text', text: prompt.text };
    return {
      type: 'visual',
      boxes: prompt.boxes.map(toSam3Box),
      box_labels: prompt.labels.map((label) => (label ? 1 : 0)),
      ...(prompt.text === undefined ? {} : { text: prompt.text }),
    };
  }

  /** One concept_segment request (one server-side image encode); one result per prompt, in order. */
  async function request(target: PreparedImage, prompts: readonly Sam3Prompt[], segmentOptions: SegmentOptions | undefined): Promise<SegmentResult[]> {
    const signal = segmentOptions?.signal;
    const started = performance.now();
    const stage = segmentOptions?.stage ?? 'segment';
    const body: Sam3ConceptSegmentRequest = {
      image: { type: 'base64', value: target.payload },
      prompts: [...prompts],
      format,
      output_prob_thresh: segmentOptions?.threshold ?? SAM3_DEFAULT_OUTPUT_PROB_THRESH,
      ...modelField,
    };
    let retries = 0;
    const url = `${base}${SAM3_CONCEPT_SEGMENT_PATH}${query}`;
    try {
      const response = await throttle.run(() => requestJson(url, body, http, signal, () => void (retries += 1)), signal);
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

  async function segmentPrompts(image: RgbImage | PreparedImage, prompts: readonly SegmentPrompt[], segmentOptions?: SegmentOptions): Promise<SegmentResult[]> {
    for (const prompt of prompts) {
      if (prompt.kind === 'boxes' && (prompt.boxes.length === 0 || prompt.boxes.length !== prompt.labels.length)) {
        throw mmevolveError('invalid-input', `a box prompt needs one label per box (got ${prompt.boxes.length} boxes, ${prompt.labels.length} labels)`, 'Pass at least one box and a label for each.');
      }
    }
    if (prompts.length === 0) return [];
    const target = isPreparedImage(image) ? image : await prepare(image, segmentOptions?.signal);
    const wire = prompts.map(wirePrompt);
    const chunks: Sam3Prompt[][] = [];
    for (let start = 0; start < wire.length; start += batchSize) chunks.push(wire.slice(start, start + batchSize));
    const results = await Promise.all(chunks.map((chunk) => request(target, chunk, segmentOptions)));
    return results.flat();
  }

  async function segmentOne(image: RgbImage | PreparedImage, prompt: SegmentPrompt, segmentOptions: SegmentOptions | undefined): Promise<SegmentResult> {
    const [result] = await segmentPrompts(image, [prompt], segmentOptions);
    if (result === undefined) throw mmevolveError('internal', 'no segmentation result for a single prompt', 'Report this bug.');
    return result;
  }

  return {
    model: options.modelId ?? 'sam3',
    prepare,
    segmentText: (image, phrase, segmentOptions) => segmentOne(image, { kind: 'text', text: phrase }, segmentOptions),
    segmentBoxes: (image, boxes, labels, segmentOptions) => {
      const text = segmentOptions?.text;
      return segmentOne(image, { kind: 'boxes', boxes, labels, ...(text === undefined ? {} : { text }) }, segmentOptions);
    },
    segmentPrompts,
  };
}
