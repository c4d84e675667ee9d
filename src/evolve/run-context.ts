/**
 * What every stage of a run shares: backends, config, the image, call accounting (records, tokens,
 * time waiting on backends), caches, warnings and progress events. Stages call backends only through
 * this context so that every call is counted and every failure is either thrown or recorded.
 */
import { mmevolveError } from '../core/index.js';
import type {
  Box,
  CallRecord,
  ChatImage,
  ChatMessage,
  ChatResult,
  Mask,
  MllmClient,
  PreparedImage,
  RgbImage,
  SegmentOptions,
  SegmentPrompt,
  SegmentResult,
  Segmenter,
  StructuredTaskName,
  TaskResponse,
  Warning,
} from '../core/index.js';
import { taskResponseSchema } from '../core/index.js';
import type { ZodType } from 'zod';
import { encodeRle } from '../vision/index.js';
import type { CocoRle } from '../vision/index.js';
import type { DatasetKind, EvolveConfig } from './config.js';
import { BoxRide } from './box-ride.js';
import { OverlayCache } from './overlay-cache.js';
import { checkResolutionPrompt } from './prompts.js';
import { ResolutionRouter, imageTokensOf } from './resolution-router.js';
import type { SegmentationEvent, SegmentationEventListener } from './events.js';
import type { GateDecision, PhraseEvaluation, SegmentationCounters } from './trace.js';
import { BUDGET_EXCEEDED, BusyClock, emptyCounters, errorCode, isUnreadableOutput } from './run-accounting.js';
import type { SampleBudget } from './run-accounting.js';

export interface SegmentationBackends {
  /** Every method but concept-only asks it (methodNeedsMllm). */
  mllm?: MllmClient | undefined;
  /** Verifies, fights and final judgements; the mllm when absent. */
  judge?: MllmClient;
  segmenter: Segmenter;
}

export interface TaskRequest {
  system: string;
  user: string;
  images?: readonly ChatImage[];
  /** The masks the call's overlays show (the resolution policy's cheap rule keeps them large enough). */
  masks?: readonly Mask[];
  stage: string;
  /** Earlier turns (agent loop): inserted between the system prompt and the final user message. */
  history?: readonly ChatMessage[];
}

/** Python's repr of a list of strings, as the published code sends its query variants. */
export function pythonListRepr(items: readonly string[]): string {
  const quote = (text: string): string => {
    const delimiter = text.includes("'") && !text.includes('"') ? '"' : "'";
    const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    return delimiter === "'" ? `'${escaped.replace(/'/g, "\\'")}'` : `"${escaped}"`;
  };
  return `[${items.map(quote).join(', ')}]`;
}

export class RunContext {
  readonly calls: CallRecord[] = [];
  readonly counters: SegmentationCounters = emptyCounters();
  readonly warnings: Warning[] = [];
  readonly phraseCache = new Map<string, Promise<PhraseEvaluation>>();
  readonly gateCache = new Map<string, Promise<GateDecision>>();
  private readonly warningKeys = new Set<string>();
  /** Overlays shown to the MLLM, rendered once per mask and colour. */
  readonly overlays: OverlayCache;
  /** One Mask object per distinct mask content (sameMask), so per-mask caches hit across phrases. */
  private readonly masksByContent = new Map<string, Mask>();
  private readonly rles = new WeakMap<Mask, CocoRle>();
  /** Full or quarter resolution per MLLM call (config `resolution`), and the image-token counts. */
  readonly resolution: ResolutionRouter;
  private readonly clock = new BusyClock();
  private readonly started = performance.now();
  private prepared: Promise<PreparedImage> | undefined;
  /** Results of phrases sent ahead in one batched request, taken once by segmentText. */
  private readonly prefetched = new Map<string, Promise<SegmentResult>>();
  /** The box stream's box, waiting for the next batch of phrases to carry it (box-ride.ts). */
  private boxRide: BoxRide | undefined;
  /** Backend calls started (the budget counts calls in flight too). */
  private startedCalls = 0;
  budget: SampleBudget = {};
  /** The planner's most refined phrase (published T_final): the gate's target and the mutation's anchor. */
  targetPhrase: string | undefined;

  constructor(
    readonly image: RgbImage,
    readonly query: string,
    readonly config: EvolveConfig,
    readonly backends: SegmentationBackends,
    readonly isSentence: boolean,
    private readonly listener: SegmentationEventListener | undefined,
    readonly signal: AbortSignal | undefined,
    private readonly queryVariants: readonly string[] = [],
    /** Decides the final arbitration's fallback when its verdicts disagree. */
    readonly datasetKind: DatasetKind = 'reasonseg',
  ) {
    this.overlays = new OverlayCache(image);
    this.resolution = new ResolutionRouter(config.resolution, this.counters, (code, message) => this.warn(code, message), (client, images) => this.checkResolution(client, images));
  }

  /** The `Query:` value: the query itself (fix), or the published Python list repr of all variants. */
  get queryLine(): string {
    if (this.config.fixes.queryTextOnly) return this.query;
    return pythonListRepr([this.query, ...this.queryVariants.filter((variant) => variant !== this.query)]);
  }

  get judge(): MllmClient {
    return this.backends.judge ?? this.mllm;
  }

  get mllm(): MllmClient {
    const client = this.backends.mllm;
    if (client === undefined) {
      throw mmevolveError('backend-not-configured', 'this segmentation method needs an MLLM backend', 'Add backends.mllm, or use --method concept-only, which sends the query to the segmenter alone.');
    }
    return client;
  }

  /**
   * The run's Mask object for this content (`key`: a content hash such as evaluation's maskHash): two
   * phrases (or the box stream) that segment the same pixels share one object, so its overlay is rendered,
   * encoded and hashed once and its IoUs computed once. Masks are immutable once evaluated.
   */
  sameMask(key: string, mask: Mask): Mask {
    const known = this.masksByContent.get(key);
    if (known !== undefined && known.width === mask.width && known.height === mask.height) return known;
    this.masksByContent.set(key, mask);
    return mask;
  }

  /** The mask's COCO RLE, encoded once per Mask object (the trace, the gate key and the result share it). */
  rleOf(mask: Mask): CocoRle {
    let rle = this.rles.get(mask);
    if (rle === undefined) {
      rle = encodeRle(mask);
      this.rles.set(mask, rle);
    }
    return rle;
  }

  emit(event: SegmentationEvent): void {
    this.listener?.(event);
  }

  warn(code: string, message: string): void {
    this.addWarning({ code, message });
  }

  /** Each distinct warning once per run (every image of a run triggers the same framing warning). */
  private addWarning(warning: Warning): void {
    const key = `${warning.code}\n${warning.message}`;
    if (this.warningKeys.has(key)) return;
    this.warningKeys.add(key);
    this.warnings.push(warning);
  }

  /** Run independent work concurrently (fix) or one after another (published), keeping input order. */
  async map<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
    if (this.config.fixes.concurrentStages) return Promise.all(items.map((item, index) => work(item, index)));
    const results: R[] = [];
    for (const [index, item] of items.entries()) results.push(await work(item, index));
    return results;
  }

  /**
   * One structured MLLM call of a task from core/tasks; the call is recorded even when it fails. Its images
   * go at the resolution the policy picks (config `resolution`); boxes in the answer are in the original frame.
   */
  async ask<K extends StructuredTaskName>(role: 'mllm' | 'judge', task: K, request: TaskRequest): Promise<ChatResult<TaskResponse<K>>> {
    this.signal?.throwIfAborted();
    const client = role === 'judge' ? this.judge : this.mllm;
    const routed = await this.resolution.route(client, { ...request, task });
    const result = await this.send(role, client, task, { ...request, ...(routed.images === undefined ? {} : { images: routed.images }) });
    return routed.rescale(result);
  }

  /** The judge rule's call: the quarter images and the query; an unreadable answer means full resolution (documented fallback). */
  private async checkResolution(client: MllmClient, images: readonly RgbImage[]): Promise<boolean> {
    const role = client === this.backends.judge && client !== this.backends.mllm ? 'judge' : 'mllm';
    try {
      const result = await this.send(role, client, 'check_resolution', { ...checkResolutionPrompt(this.queryLine, images.length), images, stage: 'resolution-check' });
      this.resolution.countCheck(imageTokensOf(client, images));
      return result.value.needsFullResolution;
    } catch (error) {
      if (!isUnreadableOutput(error)) throw error;
      this.warn('resolution-check-unparsable', 'check_resolution answer could not be read; full resolution used (documented fallback)');
      return true;
    }
  }

  private async send<K extends StructuredTaskName>(role: 'mllm' | 'judge', client: MllmClient, task: K, request: TaskRequest): Promise<ChatResult<TaskResponse<K>>> {
    this.signal?.throwIfAborted();
    this.spend(request.stage);
    if (role === 'judge') this.counters.judgeCalls += 1;
    else this.counters.mllmCalls += 1;
    const messages: ChatMessage[] = [{ role: 'system', content: request.system }, ...(request.history ?? []), { role: 'user', content: request.user }];
    const schema = taskResponseSchema(task) as unknown as ZodType<TaskResponse<K>>;
    try {
      const result = await this.clock.around(() =>
        client.chat<TaskResponse<K>>({
          messages,
          ...(request.images === undefined ? {} : { images: request.images }),
          schema: { name: task, schema },
          temperature: this.config.temperature,
          maxTokens: this.config.maxTokens,
          stage: request.stage,
          ...(this.signal === undefined ? {} : { signal: this.signal }),
        }),
      );
      this.record(result.call);
      for (const warning of result.warnings) this.addWarning(warning);
      return result;
    } catch (error) {
      this.record(this.failedCall(request.stage, `${role}:${client.model}`, error));
      throw error;
    }
  }

  /**
   * The image as the segmenter should get it: prepared once (fix) or a fresh copy per prompt (published).
   * Preparing is client-side (the PNG for the wire; the client makes it once per pixel buffer, copy or
   * not); the server's encodes are counted per request.
   */
  private async segmenterImage(): Promise<RgbImage | PreparedImage> {
    if (!this.config.fixes.encodeOnce) return { width: this.image.width, height: this.image.height, data: this.image.data };
    if (this.prepared === undefined) {
      const started = performance.now();
      const segmenter = this.backends.segmenter;
      this.prepared = this.clock.around(() => segmenter.prepare(this.image, this.signal));
      this.prepared.then(
        () => this.record(this.segmenterCall('prepare', started)),
        (error: unknown) => this.record(this.failedCall('prepare', `segmenter:${segmenter.model}`, error)),
      );
    }
    return this.prepared;
  }

  /**
   * With the encodeOnce fix, send these phrases in one batched segmenter request now (SAM 3 encodes the
   * image once per concept_segment request, so a generation costs one encode); segmentText then takes each
   * phrase's result from it. Without the fix every phrase goes out on its own, as in the published code.
   */
  prefetchTexts(phrases: readonly string[], stage = 'segment'): void {
    if (!this.config.fixes.encodeOnce) return;
    const fresh = [...new Set(phrases)].filter((phrase) => !this.prefetched.has(phrase));
    const ride = fresh.length > 0 ? this.boxRide?.board() : undefined;
    if (fresh.length < 2 && ride === undefined) return;
    const texts = fresh.map((text): SegmentPrompt => ({ kind: 'text', text }));
    const batch =
      ride === undefined
        ? this.segmentBatch(stage, texts)
        : ride.then((box) => this.segmentBatch(stage, box === undefined ? texts : [...texts, { kind: 'boxes', boxes: [box], labels: [true] }]));
    if (ride !== undefined) this.boxRide?.carry(batch.then((results) => results[fresh.length]));
    fresh.forEach((phrase, index) => {
      const result = batch.then((results) => {
        const one = results[index];
        if (one === undefined) throw new Error(`segmenter batch lost the result of "${phrase}"`);
        return one;
      });
      // Taken (and awaited) by segmentText; a failure is recorded by segmentBatch and rethrown there.
      result.catch(() => undefined);
      this.prefetched.set(phrase, result);
    });
  }

  /**
   * The box stream announces its box (the promise of predict_box's answer) before awaiting it, so that the
   * next batch of phrases carries it in the same concept_segment request (encodeOnce; box-ride.ts).
   */
  expectBoxPrompt(box: Promise<Box | undefined>): void {
    if (this.config.fixes.encodeOnce) this.boxRide = new BoxRide(box);
  }

  /** No batch of phrases will be sent any more: a box still waiting goes alone. */
  releaseBoxRide(): void {
    this.boxRide?.release();
  }

  async segmentText(phrase: string, stage = 'segment'): Promise<SegmentResult> {
    const prefetched = this.prefetched.get(phrase);
    if (prefetched !== undefined) {
      this.prefetched.delete(phrase);
      return prefetched;
    }
    const [result] = await this.segmentBatch(stage, [{ kind: 'text', text: phrase }]);
    if (result === undefined) throw new Error(`segmenter returned no result for "${phrase}"`);
    return result;
  }

  async segmentBox(box: Box, stage = 'box-segment'): Promise<SegmentResult> {
    const carried = await this.boxRide?.carried;
    const rode = await carried?.result;
    if (rode !== undefined) return rode;
    const [result] = await this.segmentBatch(stage, [{ kind: 'boxes', boxes: [box], labels: [true] }]);
    if (result === undefined) throw new Error('segmenter returned no result for the box prompt');
    return result;
  }

  finish(): SegmentationCounters {
    this.counters.wallMs = performance.now() - this.started;
    this.counters.backendWaitMs = this.clock.total;
    return this.counters;
  }

  /**
   * Prompts on the image in one segmentPrompts batch: requests counted (SAM 3 encodes the image once per
   * concept_segment request, so each request is one image encode), timed, calls and warnings recorded;
   * a failure is recorded and rethrown.
   */
  private async segmentBatch(stage: string, prompts: readonly SegmentPrompt[]): Promise<SegmentResult[]> {
    this.signal?.throwIfAborted();
    this.spend(stage);
    const image = await this.segmenterImage();
    try {
      const options: SegmentOptions = { threshold: this.config.segmentThreshold, stage, ...(this.signal === undefined ? {} : { signal: this.signal }) };
      const results = await this.clock.around(() => this.backends.segmenter.segmentPrompts(image, prompts, options));
      const requests = new Set(results.map((result) => result.call));
      this.counters.segmenterCalls += requests.size;
      this.counters.segmenterImageEncodes += requests.size;
      this.counters.segmenterPrompts += prompts.length;
      for (const call of requests) this.record(call);
      for (const result of results) for (const warning of result.warnings) this.addWarning(warning);
      return results;
    } catch (error) {
      this.counters.segmenterCalls += 1;
      this.record(this.failedCall(stage, `segmenter:${this.backends.segmenter.model}`, error));
      throw error;
    }
  }

  /** Counts one call against the sample budget, or refuses it when a cap is reached. */
  private spend(stage: string): void {
    const { maxCalls, maxTokens } = this.budget;
    if (maxCalls !== undefined && this.startedCalls >= maxCalls) {
      throw mmevolveError(BUDGET_EXCEEDED, `the sample's budget of ${maxCalls} backend calls is used up (next: ${stage})`, 'Raise --max-calls-per-sample, or leave it unset for no cap.');
    }
    const tokens = this.counters.promptTokens + this.counters.completionTokens;
    if (maxTokens !== undefined && tokens >= maxTokens) {
      throw mmevolveError(BUDGET_EXCEEDED, `the sample's budget of ${maxTokens} tokens is used up (${tokens} spent; next: ${stage})`, 'Raise --max-tokens-per-sample, or leave it unset for no cap.');
    }
    this.startedCalls += 1;
  }

  private record(call: CallRecord): void {
    this.calls.push(call);
    this.counters.promptTokens += call.promptTokens;
    this.counters.completionTokens += call.completionTokens;
  }

  private segmenterCall(stage: string, started: number): CallRecord {
    return { stage, backend: `segmenter:${this.backends.segmenter.model}`, latencyMs: performance.now() - started, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0 };
  }

  private failedCall(stage: string, backend: string, error: unknown): CallRecord {
    return { stage, backend, latencyMs: 0, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0, errorCode: errorCode(error) };
  }
}
