/**
 * What every stage of a run shares: backends, config, the image, call accounting (records, tokens,
 * time waiting on backends), caches, warnings and progress events. Stages call backends only through
 * this context so that every call is counted and every failure is either thrown or recorded.
 */
import { isMmevolveError, mmevolveError } from '../core/index.js';
import type {
  Box,
  CallRecord,
  ChatImage,
  ChatMessage,
  ChatResult,
  MllmClient,
  PreparedImage,
  RgbImage,
  SegmentOptions,
  SegmentResult,
  Segmenter,
  StructuredTaskName,
  TaskResponse,
  Warning,
} from '../core/index.js';
import { taskResponseSchema } from '../core/index.js';
import type { ZodType } from 'zod';
import type { DatasetKind, EvolveConfig } from './config.js';
import { OverlayCache } from './overlay-cache.js';
import type { SegmentationEvent, SegmentationEventListener } from './events.js';
import type { GateDecision, PhraseEvaluation, SegmentationCounters } from './trace.js';

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
  stage: string;
  /** Earlier turns (agent loop): inserted between the system prompt and the final user message. */
  history?: readonly ChatMessage[];
}

/** Counts time during which at least one backend call is in flight (overlapping calls count once). */
class BusyClock {
  private inFlight = 0;
  private since = 0;
  total = 0;

  async around<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight === 0) this.since = performance.now();
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.total += performance.now() - this.since;
    }
  }
}

function emptyCounters(): SegmentationCounters {
  return {
    mllmCalls: 0,
    judgeCalls: 0,
    segmenterCalls: 0,
    segmenterImageEncodes: 0,
    promptTokens: 0,
    completionTokens: 0,
    generations: 0,
    fights: 0,
    verifications: 0,
    phraseCacheHits: 0,
    gateCacheHits: 0,
    wallMs: 0,
    backendWaitMs: 0,
  };
}

function errorCode(error: unknown): string {
  return isMmevolveError(error) ? error.code : 'internal';
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
  private readonly clock = new BusyClock();
  private readonly started = performance.now();
  private prepared: Promise<PreparedImage> | undefined;
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

  /** One structured MLLM call of a task from core/tasks; the call is recorded even when it fails. */
  async ask<K extends StructuredTaskName>(role: 'mllm' | 'judge', task: K, request: TaskRequest): Promise<ChatResult<TaskResponse<K>>> {
    this.signal?.throwIfAborted();
    const client = role === 'judge' ? this.judge : this.mllm;
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

  /** The image as the segmenter should get it: prepared once (fix) or a fresh copy per prompt (published). */
  private async segmenterImage(): Promise<RgbImage | PreparedImage> {
    if (!this.config.fixes.encodeOnce) {
      this.counters.segmenterImageEncodes += 1;
      // A new object per prompt: the segmenter cannot reuse an embedding, as in the published code.
      return { width: this.image.width, height: this.image.height, data: this.image.data };
    }
    if (this.prepared === undefined) {
      this.counters.segmenterImageEncodes += 1;
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

  async segmentText(phrase: string, stage = 'segment'): Promise<SegmentResult> {
    return this.segment(stage, (image, options) => this.backends.segmenter.segmentText(image, phrase, options));
  }

  async segmentBox(box: Box, stage = 'box-segment'): Promise<SegmentResult> {
    return this.segment(stage, (image, options) => this.backends.segmenter.segmentBoxes(image, [box], [true], options));
  }

  finish(): SegmentationCounters {
    this.counters.wallMs = performance.now() - this.started;
    this.counters.backendWaitMs = this.clock.total;
    return this.counters;
  }

  /** One segmenter request: counted, timed, its call and warnings recorded; a failure is recorded and rethrown. */
  private async segment(stage: string, request: (image: RgbImage | PreparedImage, options: SegmentOptions) => Promise<SegmentResult>): Promise<SegmentResult> {
    this.signal?.throwIfAborted();
    const image = await this.segmenterImage();
    this.counters.segmenterCalls += 1;
    try {
      const result = await this.clock.around(() => request(image, { threshold: this.config.segmentThreshold, stage, ...(this.signal === undefined ? {} : { signal: this.signal }) }));
      this.record(result.call);
      for (const warning of result.warnings) this.addWarning(warning);
      return result;
    } catch (error) {
      this.record(this.failedCall(stage, `segmenter:${this.backends.segmenter.model}`, error));
      throw error;
    }
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

/** True for the one failure stages may turn into a documented fallback: unreadable model output. */
export function isUnreadableOutput(error: unknown): boolean {
  return isMmevolveError(error) && error.code === 'invalid-model-output';
}
