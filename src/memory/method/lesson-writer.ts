/**
 * Write on failure, both branches in parallel (ViLoMem): the logic branch classifies the error and, for a
 * logical error, writes a reusable guideline; the visual branch (image attached) writes a rule for
 * reading the misperceived visual pattern. Each lesson then goes through grow-and-refine (lesson-refine).
 * Both branches finish their model calls before anything is written; then all their writes go to the store
 * as one transaction, so a failure anywhere (a writer's or the merge's model call, the store) writes nothing.
 */
import { isMmevolveError, taskResponseSchema } from '../../core/index.js';
import type { ChatMessage, LessonSignal, LessonStream, OutputSchema, RgbImage, StructuredTaskName } from '../../core/index.js';
import { recordedChat } from './call-context.js';
import type { LessonCandidate, LessonPlan, RefineContext, StoreOutcome } from './lesson-refine.js';
import { applyLessonPlans, planLesson } from './lesson-refine.js';
import type { FailureContext } from './prompts.js';
import { writeLogicLessonMessages, writeVisualLessonMessages } from './prompts.js';

export interface WriteInput {
  failure: FailureContext;
  image: RgbImage;
  /** The problem image's embedding (stored as the visual lesson's source image vector). */
  imageVector?: Float32Array;
  streams: ReadonlySet<LessonStream>;
  /** What judged the answer wrong (lesson provenance); default 'gold'. */
  signal?: LessonSignal;
}

export interface WriteResult {
  /** The logic writer's classification of the error, when it was asked. */
  errorType?: 'logical' | 'visual';
  outcomes: StoreOutcome[];
}

async function ask<V>(context: RefineContext, task: StructuredTaskName, schema: OutputSchema<V>, messages: ChatMessage[], image: RgbImage): Promise<V | undefined> {
  try {
    const result = await recordedChat(context, {
      messages,
      images: [image],
      schema,
      maxTokens: context.config.solver.maxTokens,
      stage: `memory-${task.replaceAll('_', '-')}`,
    });
    return result.value;
  } catch (error) {
    if (isMmevolveError(error) && error.code === 'invalid-model-output') {
      context.warnings.push({ code: 'lesson-invalid-output', message: `${task} answer unusable (${error.message}); no lesson from this branch` });
      return undefined;
    }
    throw error;
  }
}

function candidate(input: WriteInput, stream: LessonStream, text: string): LessonCandidate {
  const { problem, subject, concepts } = input.failure;
  const base: LessonCandidate = {
    stream,
    text,
    subject,
    concepts: [...concepts],
    source: { problemId: problem.id, question: problem.question, imageRefs: [problem.imageRef] },
    signal: input.signal ?? 'gold',
  };
  if (stream === 'visual' && input.imageVector !== undefined) base.imageVectors = [{ imageRef: problem.imageRef, vector: input.imageVector }];
  return base;
}

interface BranchPlan {
  errorType?: 'logical' | 'visual';
  plans: LessonPlan[];
}

async function logicBranch(context: RefineContext, input: WriteInput): Promise<BranchPlan> {
  const schema = { name: 'write_logic_lesson', schema: taskResponseSchema('write_logic_lesson') };
  const answer = await ask(context, 'write_logic_lesson', schema, writeLogicLessonMessages(input.failure), input.image);
  if (answer === undefined) return { plans: [] };
  const text = answer.lesson.trim();
  const skip = text === '' || (answer.errorType === 'visual' && context.config.write.logicOnlyForLogicalErrors);
  if (skip) return { errorType: answer.errorType, plans: [] };
  return { errorType: answer.errorType, plans: [await planLesson(context, candidate(input, 'logic', text))] };
}

async function visualBranch(context: RefineContext, input: WriteInput): Promise<BranchPlan> {
  const schema = { name: 'write_visual_lesson', schema: taskResponseSchema('write_visual_lesson') };
  const answer = await ask(context, 'write_visual_lesson', schema, writeVisualLessonMessages(input.failure), input.image);
  const text = answer?.lesson.trim() ?? '';
  if (text === '') return { plans: [] };
  return { plans: [await planLesson(context, candidate(input, 'visual', text))] };
}

/** Runs the enabled branches in parallel, then stores their lessons in one all-or-nothing write. */
export async function writeLessons(context: RefineContext, input: WriteInput): Promise<WriteResult> {
  const [logic, visual] = await Promise.all([
    input.streams.has('logic') ? logicBranch(context, input) : Promise.resolve<BranchPlan>({ plans: [] }),
    input.streams.has('visual') ? visualBranch(context, input) : Promise.resolve<BranchPlan>({ plans: [] }),
  ]);
  const result: WriteResult = { outcomes: await applyLessonPlans(context.memory, [...logic.plans, ...visual.plans]) };
  if (logic.errorType !== undefined) result.errorType = logic.errorType;
  return result;
}
