/**
 * One problem through the dual-stream error memory method (ViLoMem, arXiv 2511.21678):
 * analysis (analyze_problem) → retrieval of both streams in parallel → solver (answer_vqa) with the lessons
 * injected → verification when a gold answer is given → on failure, both lesson writers in parallel, each
 * lesson grown into or refined with the memory. Modes 'baseline' (direct answer) and 'step' (step by step)
 * use no memory; `ablate` removes one stream (its retrieval and its writing).
 * This is the per-problem step of the online protocol: run problems in order and memory grows from
 * earlier failures.
 */
import { mmevolveError } from '../../core/index.js';
import type { CallRecord, ChatImage, Embedder, LessonStream, MllmClient, TenantMemory, Warning } from '../../core/index.js';
import { extractMathVAnswer } from '../verify/mathv-scoring.js';
import { parseMemoryMethodConfig } from './config.js';
import type { MemoryMethodConfig, MemoryMethodConfigInput } from './config.js';
import { callSettings } from './call-context.js';
import type { CallContext } from './call-context.js';
import { analyseProblem } from './analysis.js';
import { learnFromAnswer } from './learn.js';
import type { AnswerJudgement } from './learn.js';
import { lastBoxedContent } from './problem.js';
import type { MemoryProblem } from './problem.js';
import { answerVqaMessages } from './prompts.js';
import type { PromptLesson, SolveMode } from './prompts.js';
import { embedRetrievalQuery, retrievalQueryText, retrieveLessons } from './retrieval.js';
import type { RetrievalQuery, RetrievedLesson } from './retrieval.js';
import { countingEmbedder, summariseOutcomes } from './solve-result.js';
import type { SolveEvent, SolveResult } from './solve-result.js';
import { zoomHint } from './zoom.js';

export interface SolveOptions {
  mllm: MllmClient;
  embedder: Embedder;
  /** Required for mode 'memory'. */
  memory?: TenantMemory;
  /** A parsed config, or a partial one (defaults fill the rest). */
  config?: MemoryMethodConfig | MemoryMethodConfigInput;
  mode: SolveMode;
  /** Removes one stream from retrieval and writing (ablations: without visual, without logic). */
  ablate?: LessonStream;
  /** Write lessons on failure (default true). false evaluates against a frozen memory (offline protocol). */
  learn?: boolean;
  /** The judge for config.verify.llmJudge (default: the solver's own MLLM). */
  judge?: MllmClient;
  signal?: AbortSignal;
  onEvent?: (event: SolveEvent) => void;
}

export type { ProblemAnalysis } from './analysis.js';

function streamsFor(ablate: LessonStream | undefined): Set<LessonStream> {
  const streams = new Set<LessonStream>(['logic', 'visual']);
  if (ablate !== undefined) streams.delete(ablate);
  return streams;
}

function promptLessons(retrieved: readonly RetrievedLesson[]): PromptLesson[] {
  return retrieved.map((item) => ({ stream: item.stream, text: item.lesson.text }));
}

/** Solves one problem with the chosen method; see the module comment. */
export async function solveWithMemory(problem: MemoryProblem, options: SolveOptions): Promise<SolveResult> {
  const config = parseMemoryMethodConfig(options.config ?? {});
  const { mode } = options;
  if (mode === 'memory' && options.memory === undefined) {
    throw mmevolveError('invalid-input', 'the memory method needs a lesson store', 'pass memory: store.forTenant(tenant), or use mode baseline or step');
  }
  const embedder = countingEmbedder(options.embedder);
  const calls: CallRecord[] = [];
  const warnings: Warning[] = [];
  const emit = (event: SolveEvent): void => options.onEvent?.(event);
  const context: CallContext = { mllm: options.mllm, config, calls, warnings, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const streams = streamsFor(options.ablate);

  let analysis: Awaited<ReturnType<typeof analyseProblem>> | undefined;
  let query: RetrievalQuery | undefined;
  let used: RetrievedLesson[] = [];
  let zoom: Awaited<ReturnType<typeof zoomHint>>;
  if (mode === 'memory' && options.memory !== undefined) {
    analysis = await analyseProblem(context, problem);
    emit({ type: 'problem-analysed', problemId: problem.id, subject: analysis.subject, concepts: analysis.concepts });
    const text = retrievalQueryText(problem.question, analysis.subject, analysis.concepts);
    query = await embedRetrievalQuery(embedder.embedder, text, streams.has('visual') ? problem.image : undefined, options.signal);
    const retrieved = await retrieveLessons(options.memory, query, config, streams);
    used = [...retrieved.visual, ...retrieved.logic];
    emit({ type: 'lessons-retrieved', problemId: problem.id, logic: retrieved.logic.length, visual: retrieved.visual.length });
    if (config.zoom.enabled && retrieved.visual.length > 0) zoom = await zoomHint(context, problem, promptLessons(retrieved.visual));
  }

  const images: ChatImage[] = zoom === undefined ? [problem.image] : [problem.image, zoom.crop];
  const solved = await options.mllm.chat({
    messages: answerVqaMessages(problem, { mode, lessons: promptLessons(used), zoomed: zoom !== undefined }),
    images,
    maxTokens: config.solver.maxTokens,
    stage: `solve-${mode}`,
    ...callSettings(context),
  });
  calls.push(solved.call);
  warnings.push(...solved.warnings);
  const response = solved.value;
  const extracted = extractMathVAnswer(response);
  const finalAnswer = lastBoxedContent(response);
  emit({ type: 'answer-given', problemId: problem.id, answer: extracted.answer });

  const result: SolveResult = {
    problemId: problem.id,
    mode,
    answer: extracted.answer,
    finalAnswer,
    response,
    lessonsUsed: used.map((item) => ({
      id: item.lesson.id,
      stream: item.stream,
      version: item.lesson.version,
      text: item.lesson.text,
      score: item.score,
      ...(item.imageScore === undefined ? {} : { imageScore: item.imageScore }),
    })),
    lessonsWritten: [],
    lessonsMerged: [],
    duplicates: [],
    mergesRejected: [],
    calls,
    embeddings: embedder.counts,
    warnings,
  };
  if (options.ablate !== undefined) result.ablate = options.ablate;
  if (analysis !== undefined) result.analysis = analysis;
  if (zoom !== undefined) result.zoomBox = zoom.box;
  const judgement: AnswerJudgement | undefined =
    problem.answer !== undefined ? { signal: 'gold', answer: problem.answer } : config.labelFree && mode === 'memory' ? { signal: 'label-free' } : undefined;
  if (judgement === undefined) return result;

  const learned = await learnFromAnswer(
    { problem, response, ...(analysis === undefined ? {} : { analysis }), ...(query?.imageVector === undefined ? {} : { imageVector: query.imageVector }) },
    judgement,
    {
      context,
      embedder: embedder.embedder,
      streams,
      learn: mode === 'memory' && options.learn !== false && options.memory !== undefined && analysis !== undefined,
      ...(options.memory === undefined ? {} : { memory: options.memory }),
      ...(options.judge === undefined ? {} : { judge: options.judge }),
    },
  );
  result.learnedFrom = learned.signal;
  if (learned.verdict !== undefined) {
    result.verdict = learned.verdict;
    emit({ type: 'answer-verified', problemId: problem.id, correct: learned.verdict.correct, rule: learned.verdict.rule });
  }
  if (learned.selfCheck !== undefined) {
    result.selfCheck = learned.selfCheck;
    emit({ type: 'answer-verified', problemId: problem.id, correct: learned.selfCheck.verdict === 'correct', rule: 'self-check' });
  }
  if (learned.errorType !== undefined) result.errorType = learned.errorType;
  summariseOutcomes(result, learned.outcomes, emit);
  return result;
}
