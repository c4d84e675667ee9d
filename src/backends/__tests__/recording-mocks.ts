/**
 * Recording mocks of the three contracts (`calls[]`), so engines can be tested deterministically without
 * HTTP. The MLLM mock runs scripted text through the same tolerant parser as the real client. Test support:
 * not exported by backends/index.ts, not in the lib/ build.
 */
import type {
  Box,
  CallRecord,
  ChatRequest,
  ChatResult,
  Embedder,
  MllmClient,
  PreparedImage,
  RgbImage,
  SegmentInstance,
  SegmentOptions,
  Segmenter,
} from '../../core/index.js';
import { isPreparedImage } from '../../core/index.js';
import { createOfflineEmbedder } from '../embedders.js';
import { parseModelOutput } from '../parse-model-output.js';

function callRecord(stage: string, backend: string): CallRecord {
  return { stage, backend, latencyMs: 0, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0 };
}

export interface RecordingMllmClient extends MllmClient {
  readonly calls: ChatRequest<unknown>[];
}

/** `answer` returns the model's raw text for each request (index = call number from 0). */
export function createRecordingMllmClient(
  answer: (request: ChatRequest<unknown>, index: number) => string | Promise<string>,
  options: { model?: string; profileName?: string; supportsJsonSchema?: boolean } = {},
): RecordingMllmClient {
  const calls: ChatRequest<unknown>[] = [];
  const model = options.model ?? 'recording-mock';
  return {
    model,
    profileName: options.profileName ?? 'generic',
    supportsJsonSchema: options.supportsJsonSchema ?? true,
    calls,
    listModels: () => Promise.resolve([model]),
    async chat<T = string>(request: ChatRequest<T>): Promise<ChatResult<T>> {
      const index = calls.length;
      calls.push(request as ChatRequest<unknown>);
      const text = await answer(request as ChatRequest<unknown>, index);
      let value: T;
      if (request.schema === undefined) value = text as T;
      else {
        const parsed = parseModelOutput(text, request.schema.schema, request.schema.name);
        if (!parsed.ok) throw parsed.error;
        value = parsed.value;
      }
      const frames = (request.images ?? []).map((image) => ({ original: { width: image.width, height: image.height }, sent: { width: image.width, height: image.height } }));
      return {
        value,
        text,
        usage: { promptTokens: 0, completionTokens: 0 },
        warnings: [],
        call: callRecord(request.stage ?? 'default', `mock:${model}`),
        frames,
        boxToOriginal: (modelBox: Box) => modelBox,
      };
    },
  };
}

export type SegmenterCall =
  | { kind: 'text'; phrase: string; image: PreparedImage; options: SegmentOptions | undefined }
  | { kind: 'boxes'; boxes: readonly Box[]; labels: readonly boolean[]; image: PreparedImage; options: SegmentOptions | undefined };

export interface RecordingSegmenter extends Segmenter {
  /** One entry per prompt. */
  readonly calls: SegmenterCall[];
  /** One entry per request (a segmentPrompts batch is one request): what a SAM 3 server encodes the image for. */
  readonly requests: SegmenterCall[][];
  /** Images prepared (encoded) so far. */
  readonly prepared: RgbImage[];
}

export function createRecordingSegmenter(answer: (call: SegmenterCall) => SegmentInstance[] | Promise<SegmentInstance[]>): RecordingSegmenter {
  const calls: SegmenterCall[] = [];
  const prepared: RgbImage[] = [];
  const ids = new WeakMap<RgbImage, PreparedImage>();
  const prepare = (image: RgbImage): Promise<PreparedImage> => {
    const existing = ids.get(image);
    if (existing !== undefined) return Promise.resolve(existing);
    prepared.push(image);
    const result: PreparedImage = { kind: 'prepared-image', imageId: `mock-${prepared.length}`, width: image.width, height: image.height, payload: '' };
    ids.set(image, result);
    return Promise.resolve(result);
  };
  const resolveImage = (image: RgbImage | PreparedImage): Promise<PreparedImage> => (isPreparedImage(image) ? Promise.resolve(image) : prepare(image));
  const requests: SegmenterCall[][] = [];
  const runBatch = async (batch: SegmenterCall[]) => {
    calls.push(...batch);
    requests.push(batch);
    const call = callRecord(batch[0]?.options?.stage ?? 'segment', 'mock:segmenter');
    return Promise.all(batch.map(async (entry) => ({ instances: await answer(entry), warnings: [], call })));
  };
  const runOne = async (entry: SegmenterCall) => {
    const [result] = await runBatch([entry]);
    if (result === undefined) throw new Error('recording segmenter lost a result');
    return result;
  };
  return {
    model: 'recording-mock-segmenter',
    calls,
    requests,
    prepared,
    prepare,
    segmentText: async (image, phrase, options) => runOne({ kind: 'text', phrase, image: await resolveImage(image), options }),
    segmentBoxes: async (image, boxes, labels, options) => runOne({ kind: 'boxes', boxes, labels, image: await resolveImage(image), options }),
    segmentPrompts: async (image, prompts, options) => {
      const prepared = await resolveImage(image);
      return runBatch(
        prompts.map((prompt): SegmenterCall =>
          prompt.kind === 'text' ? { kind: 'text', phrase: prompt.text, image: prepared, options } : { kind: 'boxes', boxes: prompt.boxes, labels: prompt.labels, image: prepared, options },
        ),
      );
    },
  };
}

export interface RecordingEmbedder extends Embedder {
  readonly texts: string[];
  readonly images: RgbImage[];
}

/** Offline (lexical/perceptual) vectors, recording every input. */
export function createRecordingEmbedder(dimensions = 64): RecordingEmbedder {
  const offline = createOfflineEmbedder(dimensions);
  const texts: string[] = [];
  const images: RgbImage[] = [];
  return {
    model: offline.model,
    kind: offline.kind,
    texts,
    images,
    embedTexts: (batch, options) => {
      texts.push(...batch);
      return offline.embedTexts(batch, options);
    },
    embedImages: (batch, options) => {
      images.push(...batch);
      return offline.embedImages(batch, options);
    },
  };
}
