/**
 * Learning from one answer, whatever judged it: the gold answer given with the problem (`gold`), a
 * verdict or gold answer sent later for an answer already given (`feedback`, POST /v1/feedback), or, with
 * no label at all, the model's own check of its answer (`label-free`, config `labelFree`). An answer judged
 * wrong goes through the same lesson writers (lesson-writer.ts) in every case; each written or merged
 * version records the signal in its provenance, and the outcome says which one it was.
 */
import type { Embedder, LessonSignal, LessonStream, MllmClient, TenantMemory } from '../../core/index.js';
import { verifyAnswer, verifyMathVAnswer } from '../verify/verify-answer.js';
import type { AnswerVerdict } from '../verify/verify-answer.js';
import { extractMathVAnswer } from '../verify/mathv-scoring.js';
import { analyseProblem } from './analysis.js';
import type { ProblemAnalysis } from './analysis.js';
import { recordedChat } from './call-context.js';
import type { CallContext } from './call-context.js';
import { writeLessons } from './lesson-writer.js';
import type { StoreOutcome } from './lesson-refine.js';
import { lastBoxedContent } from './problem.js';
import type { MemoryProblem } from './problem.js';
import { checkAnswerMessages } from './prompts.js';

/** What judges an answer. A feedback answer is verified like a gold one; a feedback verdict is taken as given. */
export type AnswerJudgement =
  | { signal: 'gold'; answer: string }
  | { signal: 'feedback'; answer: string }
  | { signal: 'feedback'; verdict: 'correct' | 'incorrect' }
  | { signal: 'label-free' };

/** The model's own check of its answer: it solved the problem again, and the verifier compared the two. */
export interface SelfCheck {
  verdict: 'correct' | 'incorrect';
  /** The final answer the check reached (its last \\boxed{}). */
  answer: string;
  /** The verifier's rule comparing the earlier answer with the check's (verify-answer.ts). */
  rule: string;
}

export interface AnsweredProblem {
  /** The problem as asked; its `answer` is not read here (the judgement carries any gold answer). */
  problem: MemoryProblem;
  /** The solver's full response. */
  response: string;
  /** The solve's analysis; asked for here when absent and lessons are to be written. */
  analysis?: ProblemAnalysis;
  /** The problem image's embedding; computed here when absent and a visual lesson may be written. */
  imageVector?: Float32Array;
}

export interface LearnOptions {
  context: CallContext;
  /** Without a memory nothing is written (the answer is still judged). */
  memory?: TenantMemory;
  embedder: Embedder;
  streams: ReadonlySet<LessonStream>;
  /** false judges without writing (offline protocol, a key without the write scope). */
  learn: boolean;
  /** The judge for config.verify.llmJudge (default: the solver's own MLLM). */
  judge?: MllmClient;
}

export interface LearnOutcome {
  signal: LessonSignal;
  /** undefined when the self-check's answer was unusable (nothing is learned then). */
  correct: boolean | undefined;
  /** The rule-based verdict against a gold or feedback answer. */
  verdict?: AnswerVerdict;
  selfCheck?: SelfCheck;
  /** Present when lessons were written (asked for here when the solve had none). */
  analysis?: ProblemAnalysis;
  errorType?: 'logical' | 'visual';
  outcomes: StoreOutcome[];
}

/**
 * The model works the problem again (checkAnswerMessages) and the earlier response is verified against the
 * answer it reaches, by the same rules as against a gold answer. A check without a final answer decides nothing.
 */
async function selfCheck(context: CallContext, problem: MemoryProblem, response: string, given: string): Promise<SelfCheck | undefined> {
  const result = await recordedChat<string>(context, {
    messages: checkAnswerMessages(problem, given),
    images: [problem.image],
    maxTokens: context.config.solver.maxTokens,
    stage: 'memory-self-check',
  });
  const reached = lastBoxedContent(result.value)?.trim() ?? '';
  if (reached === '') {
    context.warnings.push({ code: 'self-check-no-answer', message: 'the self-check gave no \\boxed{} answer; nothing learned from this answer' });
    return undefined;
  }
  const verdict = verifyMathVAnswer(response, { answer: reached, options: problem.options }, { strict: context.config.verify.strict });
  return { verdict: verdict.correct ? 'correct' : 'incorrect', answer: reached, rule: verdict.rule };
}

/** The `Gold:` line the lesson writers see when no gold answer exists. */
function writerGold(judgement: AnswerJudgement, check: SelfCheck | undefined): string | undefined {
  if (judgement.signal === 'label-free') return check?.answer === undefined || check.answer === '' ? 'unknown (the model\'s own check found the answer wrong)' : check.answer;
  if ('verdict' in judgement) return 'unknown (the answer was marked wrong without the correct answer)';
  return judgement.answer;
}

async function imageVectorOf(answered: AnsweredProblem, options: LearnOptions): Promise<Float32Array | undefined> {
  if (answered.imageVector !== undefined || !options.streams.has('visual')) return answered.imageVector;
  const { signal } = options.context;
  const [vector] = await options.embedder.embedImages([answered.problem.image], { stage: 'memory-write', ...(signal === undefined ? {} : { signal }) });
  return vector;
}

/** Judges the answer, then, when it is wrong and learning is on, writes both streams' lessons. */
export async function learnFromAnswer(answered: AnsweredProblem, judgement: AnswerJudgement, options: LearnOptions): Promise<LearnOutcome> {
  const { context } = options;
  const { problem, response } = answered;
  const given = lastBoxedContent(response) ?? extractMathVAnswer(response).answer;
  const outcome: LearnOutcome = { signal: judgement.signal, correct: undefined, outcomes: [] };
  let check: SelfCheck | undefined;
  if (judgement.signal === 'label-free') {
    check = await selfCheck(context, problem, response, given);
    if (check !== undefined) {
      outcome.selfCheck = check;
      outcome.correct = check.verdict === 'correct';
    }
  } else if ('verdict' in judgement) {
    outcome.correct = judgement.verdict === 'correct';
  } else {
    const judge = context.config.verify.llmJudge ? (options.judge ?? context.mllm) : undefined;
    const verdict = await verifyAnswer(response, { answer: judgement.answer, options: problem.options }, {
      strict: context.config.verify.strict,
      ...(judge === undefined ? {} : { judge }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
    if (verdict.judgeCall !== undefined) context.calls.push(verdict.judgeCall);
    outcome.verdict = verdict;
    outcome.correct = verdict.correct;
  }
  if (outcome.correct !== false || !options.learn || options.memory === undefined) return outcome;

  const analysis = answered.analysis ?? (await analyseProblem(context, problem));
  outcome.analysis = analysis;
  const gold = writerGold(judgement, check);
  const imageVector = await imageVectorOf(answered, options);
  const written = await writeLessons({ ...context, memory: options.memory, embedder: options.embedder }, {
    failure: { problem, response, given, subject: analysis.subject, concepts: analysis.concepts, ...(gold === undefined ? {} : { gold }) },
    image: problem.image,
    ...(imageVector === undefined ? {} : { imageVector }),
    streams: options.streams,
    signal: judgement.signal,
  });
  if (written.errorType !== undefined) outcome.errorType = written.errorType;
  outcome.outcomes = written.outcomes;
  return outcome;
}
