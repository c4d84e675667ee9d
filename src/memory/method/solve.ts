/**
 * One problem through the dual-stream error memory method (ViLoMem, arXiv 2511.21678):
 * analysis (analyze_problem) → retrieval of both streams in parallel → solver (answer_vqa) with the lessons
 * injected → verification when a gold answer is given → on failure, both lesson writers in parallel, each
 * lesson grown into or refined with the memory. Modes 'baseline' (direct answer) and 'step' (step by step)
 * use no memory; `ablate` removes one stream (its retrieval and its writing).
 * This is the per-problem step of the online protocol: run problems in order and memory grows from
 * earlier failures.
 */
import { isMmevolveError, mmevolveError, taskResponseSchema } from '../../core/index.js';
import type { CallRecord, ChatImage, Embedder, LessonStream, MllmClient, TenantMemory, Warning } from '../../core/index.js';
import { verifyAnswer } from '../verify/verify-answer.js';
import { extractMathVAnswer } from '../verify/mathv-scoring.js';
import { parseMemoryMethodConfig } from './config.js';
import type { MemoryMethodConfig, MemoryMethodConfigInput } from './config.js';
import { callSettings, recordedChat } from './call-context.js';
import type { CallContext } from './call-context.js';
import { writeLessons } from './lesson-writer.js';
import { lastBoxedContent } from './problem.js';
import type { MemoryProblem } from './problem.js';
import { analyzeProblemMessages, answerVqaMessages } from './prompts.js';
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

export interface ProblemAnalysis {
  subject: string;
  concepts: string[];
  /** false when the analysis answer was unusable and the problem's own subject was used. */
  fromModel: boolean;
}

function streamsFor(ablate: LessonStream | undefined): Set<LessonStream> {
  const streams = new Set<LessonStream>(['logic', 'visual']);
  if (ablate !== undefined) streams.delete(ablate);
  return streams;
}

async function analyse(context: CallContext, problem: MemoryProblem): Promise<ProblemAnalysis> {
  try {
    const result = await recordedChat(context, {
      messages: analyzeProblemMessages(problem),
      images: [problem.image],
      schema: { name: 'analyze_problem', schema: taskResponseSchema('analyze_problem') },
      stage: 'memory-analysis',
    });
    return { subject: result.value.subject.trim(), concepts: result.value.concepts.map((concept) => concept.trim()).filter((concept) => concept !== ''), fromModel: true };
  } catch (error) {
    if (isMmevolveError(error) && error.code === 'invalid-model-output') {
      context.warnings.push({ code: 'analysis-invalid-output', message: `analyze_problem answer unusable (${error.message}); retrieval uses the question alone` });
      return { subject: problem.subject ?? '', concepts: [], fromModel: false };
    }
    throw error;
  }
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

  let analysis: ProblemAnalysis | undefined;
  let query: RetrievalQuery | undefined;
  let used: RetrievedLesson[] = [];
  let zoom: Awaited<ReturnType<typeof zoomHint>>;
  if (mode === 'memory' && options.memory !== undefined) {
    analysis = await analyse(context, problem);
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
  if (problem.answer === undefined) return result;

  const judge = config.verify.llmJudge ? (options.judge ?? options.mllm) : undefined;
  const verdict = await verifyAnswer(response, { answer: problem.answer, options: problem.options }, {
    strict: config.verify.strict,
    ...(judge === undefined ? {} : { judge }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (verdict.judgeCall !== undefined) calls.push(verdict.judgeCall);
  result.verdict = verdict;
  emit({ type: 'answer-verified', problemId: problem.id, correct: verdict.correct, rule: verdict.rule });
  if (verdict.correct || mode !== 'memory' || options.learn === false || options.memory === undefined || analysis === undefined) return result;

  const written = await writeLessons({ ...context, memory: options.memory, embedder: embedder.embedder }, {
    failure: { problem, response, given: finalAnswer ?? extracted.answer, subject: analysis.subject, concepts: analysis.concepts },
    image: problem.image,
    ...(query?.imageVector === undefined ? {} : { imageVector: query.imageVector }),
    streams,
  });
  if (written.errorType !== undefined) result.errorType = written.errorType;
  summariseOutcomes(result, written.outcomes, emit);
  return result;
}
