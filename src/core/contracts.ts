/**
 * The pluggable parts' contracts: the MLLM, the segmenter and the embedder. Engines, CLI and server code
 * against these; implementations live in src/backends (real HTTP) and src/sim (simulated). No runtime code.
 */
import type { z } from 'zod';
import type { Warning } from './result.js';
import type { Box, Mask, RgbImage, Size } from './types.js';

/** What one backend call cost; every call records one (cache hits included, with latency ≈ 0). */
export interface CallRecord {
  /** Pipeline stage label ("plan", "judge", "segment", …); 'default' when the caller gave none. */
  stage: string;
  /** Backend kind + model id, e.g. "mllm:Qwen/Qwen2.5-VL-7B-Instruct". */
  backend: string;
  latencyMs: number;
  /** Tokens this call spent (0 on a cache hit; repair turns included). */
  promptTokens: number;
  completionTokens: number;
  cacheHit: boolean;
  /** On a cache hit: the prompt + completion tokens of the cached answer (tokens not spent again). */
  cachedTokens?: number;
  /** HTTP attempts beyond the first (429/5xx/timeouts/connection errors). */
  retries: number;
  /** Extra model turns spent repairing invalid structured output (0 or 1). */
  repairs: number;
  /** Error code when the call failed; absent on success. */
  errorCode?: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** An image already encoded (PNG/JPEG bytes); sent as-is, no resize. */
export interface EncodedImage {
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  bytes: Uint8Array;
  width: number;
  height: number;
}

export type ChatImage = RgbImage | EncodedImage;

/** A structured answer: the zod schema validates it, `name` is the task name (src/core/tasks.ts). */
export interface OutputSchema<T> {
  name: string;
  schema: z.ZodType<T>;
}

export interface ChatRequest<T = string> {
  /** System and user text; images attach to the last user message, in order. */
  messages: readonly ChatMessage[];
  images?: readonly ChatImage[];
  /**
   * Text sent right before image i (same index), e.g. the `<0.3 seconds>` timestamp before a Qwen3-VL
   * video frame group; undefined entries send the image alone.
   */
  imageLabels?: readonly (string | undefined)[];
  /** Without a schema the answer is the raw text (T = string). */
  schema?: OutputSchema<T>;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  signal?: AbortSignal;
  stage?: string;
  /** false bypasses the response cache for this call (reads and writes). */
  cache?: boolean;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** The frame an image was sent in, so model boxes convert back to the original image. */
export interface SentImageFrame {
  original: Size;
  sent: Size;
}

export interface ChatResult<T = string> {
  value: T;
  /** The model's raw text (after a repair turn: the repaired answer's text). */
  text: string;
  usage: Usage;
  warnings: Warning[];
  call: CallRecord;
  frames: readonly SentImageFrame[];
  /** A box in the model's convention (its profile) for image `imageIndex`, in original-image pixels. */
  boxToOriginal(modelBox: Box, imageIndex?: number): Box;
}

export interface MllmClient {
  readonly model: string;
  /** Profile name used for image framing and box conventions ('generic' when none). */
  readonly profileName: string;
  /** Whether response_format json_schema is sent (capability, not identity). */
  readonly supportsJsonSchema: boolean;
  chat<T = string>(request: ChatRequest<T>): Promise<ChatResult<T>>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}

/**
 * An image made ready for the segmenter once (e.g. PNG-encoded for the wire); reuse it for every prompt on
 * that image. Preparing is client-side work: whether the server re-encodes the image per request is the
 * server's business (SAM 3's concept_segment does, once per request).
 */
export interface PreparedImage {
  readonly kind: 'prepared-image';
  /** A content id of the image (what an interactive model caches its embedding under). */
  readonly imageId: string;
  readonly width: number;
  readonly height: number;
  /** The image as sent over the wire (encoded once, kept for servers that need it with each prompt). */
  readonly payload: string;
}

export interface SegmentOptions {
  /** Score threshold in [0, 1] (SAM 3: output_prob_thresh). */
  threshold?: number;
  signal?: AbortSignal;
  stage?: string;
}

export interface SegmentInstance {
  mask: Mask;
  /** Pixel-edge box of the mask (or the server's box when it sends one). */
  box: Box;
  score: number;
}

export interface SegmentResult {
  instances: SegmentInstance[];
  warnings: Warning[];
  call: CallRecord;
}

export interface Segmenter {
  readonly model: string;
  prepare(image: RgbImage, signal?: AbortSignal): Promise<PreparedImage>;
  segmentText(image: RgbImage | PreparedImage, phrase: string, options?: SegmentOptions): Promise<SegmentResult>;
  /** Exemplar boxes (original pixels) with labels true = positive, false = negative. */
  segmentBoxes(
    image: RgbImage | PreparedImage,
    boxes: readonly Box[],
    labels: readonly boolean[],
    options?: SegmentOptions & { text?: string },
  ): Promise<SegmentResult>;
  /**
   * Several prompts on one image in as few requests as the server allows: SAM 3's concept_segment takes a
   * list of prompts and encodes the image once per request, so batching is what saves encodes. One result
   * per prompt, in order; results answered by one request share one `call` record (count requests by it).
   */
  segmentPrompts(image: RgbImage | PreparedImage, prompts: readonly SegmentPrompt[], options?: SegmentOptions): Promise<SegmentResult[]>;
}

/** One prompt of a segmenter batch: a phrase, or exemplar boxes (original pixels, true = positive) with an optional phrase. */
export type SegmentPrompt =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'boxes'; readonly boxes: readonly Box[]; readonly labels: readonly boolean[]; readonly text?: string };

export type EmbedderKind = 'semantic' | 'lexical-perceptual';

export interface EmbedOptions {
  signal?: AbortSignal;
  stage?: string;
}

export interface Embedder {
  readonly model: string;
  /** 'lexical-perceptual' for the offline fallback: reports must say so. */
  readonly kind: EmbedderKind;
  embedTexts(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  embedImages(images: readonly RgbImage[], options?: EmbedOptions): Promise<Float32Array[]>;
}

export function isPreparedImage(value: RgbImage | PreparedImage): value is PreparedImage {
  return 'kind' in value && value.kind === 'prepared-image';
}
