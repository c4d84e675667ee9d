/**
 * Learning from the chat proxy's answers (issue 17, "memory under a harness"): feedback sent later for a
 * kept answer (POST /v1/feedback), and, with `memory.labelFree`, the model's own check of each answer run
 * in the background after the answer went out. Both go through the memory method's learnFromAnswer, the
 * write path /v1/solve uses with a gold answer; lessons record which signal wrote them.
 * Feedback after a label-free check still counts (a verdict from outside is worth more than the model's
 * own); lessons the check wrote stay, marked label-free.
 */
import type { Backends } from '../backends/index.js';
import type { CallRecord, Embedder, LessonStream, MemoryStore, MllmClient, RgbImage, Warning } from '../core/index.js';
import { mmevolveError } from '../core/index.js';
import { learnFromAnswer } from '../memory/index.js';
import type { AnswerJudgement, LearnOutcome, MemoryMethodConfig, MemoryProblem } from '../memory/index.js';
import { sideBySide } from '../vision/index.js';
import type { ErrorLogger } from './api-errors.js';
import type { AnswerLog, ProxiedAnswer } from './answer-log.js';
import { dataUrlBytes, decodeRequestImage } from './image-input.js';
import type { ServerLimits } from './limits.js';
import { requireEmbedder } from './workspace-embedder.js';

export interface AnswerLearningOptions {
  log: AnswerLog;
  backends: Backends | undefined;
  store: MemoryStore;
  embedder: Embedder | undefined;
  memoryConfig: MemoryMethodConfig;
  limits: ServerLimits;
  logError: ErrorLogger;
  /** Label-free checks waiting at most (one runs at a time); more are skipped and logged. Default 64. */
  maxQueuedChecks?: number;
}

/** What one learning step did, as the feedback route reports it. */
export interface LearningReport {
  responseId: string;
  signal: LearnOutcome['signal'];
  correct: boolean | undefined;
  verdict?: LearnOutcome['verdict'];
  selfCheck?: LearnOutcome['selfCheck'];
  errorType?: 'logical' | 'visual';
  lessons: { id: string; stream: LessonStream; version: number; text: string; outcome: 'inserted' | 'merged' | 'duplicate' }[];
  calls: number;
  warnings: { code: string; message: string }[];
}

// A text-only question still teaches logic lessons; the method's calls always carry an image, so a blank one.
const BLANK: RgbImage = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(255) };
const LOGIC_ONLY: ReadonlySet<LessonStream> = new Set(['logic']);
const BOTH: ReadonlySet<LessonStream> = new Set(['logic', 'visual']);

export class AnswerLearning {
  readonly #options: AnswerLearningOptions;
  #checks: Promise<void> = Promise.resolve();
  #queued = 0;
  #closing = false;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: AnswerLearningOptions) {
    this.#options = options;
  }

  get log(): AnswerLog {
    return this.#options.log;
  }

  /**
   * Keeps a proxied answer; with label-free on and a key that may write, then queues its check. Never
   * throws: the answer goes out either way, and a failed write is logged (feedback for it is then 404).
   */
  async keep(tenant: string, answer: ProxiedAnswer, canWrite: boolean): Promise<void> {
    const work = this.#options.log.keep(tenant, answer).then(
      (kept) => this.#afterKeep(tenant, answer, canWrite, kept),
      (error: unknown) => this.#options.logError(`proxied answer ${answer.id} not kept for feedback`, error),
    );
    this.track(work);
    await work;
  }

  #afterKeep(tenant: string, answer: ProxiedAnswer, canWrite: boolean, kept: boolean): void {
    if (!kept || !canWrite || !this.#options.memoryConfig.labelFree || this.#options.backends?.mllm === undefined) return;
    if (this.#queued >= (this.#options.maxQueuedChecks ?? 64)) {
      this.#options.logError('label-free check skipped', new Error(`${this.#queued} checks are waiting already (response ${answer.id})`));
      return;
    }
    this.#queued += 1;
    this.#checks = this.#checks.then(async () => {
      try {
        if (this.#closing) return;
        await this.#learn(tenant, answer, { signal: 'label-free' });
      } catch (error) {
        this.#options.logError(`label-free check of response ${answer.id} failed (nothing written)`, error);
      } finally {
        this.#queued -= 1;
      }
    });
    this.track(this.#checks);
  }

  /** Feedback for a kept answer: one per answer (404 unknown, 409 repeated); reopened if learning fails. */
  async feedback(tenant: string, responseId: string, judgement: AnswerJudgement, signal?: AbortSignal): Promise<LearningReport> {
    if (this.#options.backends?.mllm === undefined) {
      throw mmevolveError('backend-not-configured', 'no MLLM backend is configured to write lessons with', 'Add backends.mllm to mmevolve.config.* and restart mmevolve serve.');
    }
    const answer = await this.#options.log.claim(tenant, responseId);
    let used = false;
    try {
      const report = await this.#learn(tenant, answer, judgement, signal);
      used = true;
      return report;
    } finally {
      await this.#options.log.settle(tenant, responseId, used);
    }
  }

  /** Registers background work (stream captures, checks) so idle() and close() can wait for it. */
  track(work: Promise<unknown>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** Stops starting queued label-free checks (shutdown stays within its deadline), then waits for the rest. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.idle();
  }

  /** Resolves when every capture and queued check has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #problem(answer: ProxiedAnswer, signal?: AbortSignal): Promise<{ problem: MemoryProblem; streams: ReadonlySet<LessonStream> }> {
    const images: RgbImage[] = [];
    for (const [index, url] of answer.images.entries()) {
      const source = `image ${index + 1} of the answered chat request`;
      images.push(await decodeRequestImage(dataUrlBytes(url, source), this.#options.limits, source, signal));
    }
    const image = images.length === 0 ? BLANK : images.length === 1 ? (images[0] ?? BLANK) : sideBySide(images);
    const ref = `chat:${answer.id}`;
    return { problem: { id: ref, question: answer.question, options: [], image, imageRef: ref }, streams: images.length === 0 ? LOGIC_ONLY : BOTH };
  }

  async #learn(tenant: string, answer: ProxiedAnswer, judgement: AnswerJudgement, signal?: AbortSignal): Promise<LearningReport> {
    const mllm: MllmClient | undefined = this.#options.backends?.mllm;
    if (mllm === undefined) throw mmevolveError('backend-not-configured', 'no MLLM backend is configured', 'Add backends.mllm to mmevolve.config.*.');
    const embedder = requireEmbedder(this.#options.store, this.#options.embedder);
    const { problem, streams } = await this.#problem(answer, signal);
    const calls: CallRecord[] = [];
    const warnings: Warning[] = [];
    const context = { mllm, config: this.#options.memoryConfig, calls, warnings, ...(signal === undefined ? {} : { signal }) };
    const judge = this.#options.backends?.judge;
    const outcome = await learnFromAnswer({ problem, response: answer.answer }, judgement, {
      context,
      memory: this.#options.store.forTenant(tenant),
      embedder,
      streams,
      learn: true,
      ...(judge === undefined ? {} : { judge }),
    });
    const report: LearningReport = {
      responseId: answer.id,
      signal: outcome.signal,
      correct: outcome.correct,
      lessons: outcome.outcomes.map((item) => ({ id: item.lesson.id, stream: item.lesson.stream, version: item.lesson.version, text: item.lesson.text, outcome: item.kind })),
      calls: context.calls.length,
      warnings: context.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
    };
    if (outcome.verdict !== undefined) report.verdict = outcome.verdict;
    if (outcome.selfCheck !== undefined) report.selfCheck = outcome.selfCheck;
    if (outcome.errorType !== undefined) report.errorType = outcome.errorType;
    return report;
  }
}
