/**
 * Grow and refine: a new lesson is stored unless it already exists (exact duplicate, normalised text);
 * when an existing lesson of the same stream is similar enough, the two are merged by the MLLM into a
 * new version of the existing lesson — only if the merged text keeps every entity and number of both
 * (else the merge is rejected and the new lesson stored on its own). Earlier versions stay in the store.
 * Planning (reads, embeddings, the merge call) is separate from writing: the writes of all of a failure's
 * lessons go to the store as one all-or-nothing batch (TenantMemory.applyWrites), after every model call.
 */
import { isMmevolveError, mmevolveError, normaliseLessonText, taskResponseSchema } from '../../core/index.js';
import type { Embedder, Lesson, LessonEdit, LessonImageVector, LessonSignal, LessonSource, LessonStream, LessonWrite, LessonWriteResult, TenantMemory } from '../../core/index.js';
import { recordedChat } from './call-context.js';
import type { CallContext } from './call-context.js';
import { checkPreservation } from './lesson-preservation.js';
import { mergeLessonsMessages } from './prompts.js';

export interface LessonCandidate {
  stream: LessonStream;
  text: string;
  subject: string;
  concepts: string[];
  source: LessonSource;
  imageVectors?: LessonImageVector[];
  /** What judged the answer wrong; recorded in the provenance of the version this candidate makes. */
  signal?: LessonSignal;
}

export interface RejectedMerge {
  /** lost-content: an entity or number of a source is missing; too-long: over write.maxMergedChars. */
  reason: 'lost-content' | 'too-long';
  targetId: string;
  targetVersion: number;
  mergedText: string;
  missingNumbers: string[];
  missingEntities: string[];
}

export interface StoreOutcome {
  /** inserted: a new lesson; merged: a new version of `lesson`; duplicate: an existing lesson already says it. */
  kind: 'inserted' | 'merged' | 'duplicate';
  lesson: Lesson;
  candidateText: string;
  /** merged: the version that was merged into, and its text. */
  mergedFrom?: { version: number; text: string; similarity: number };
  /** A merge the preservation check refused (the lesson was then inserted as new). */
  rejectedMerge?: RejectedMerge;
}

export interface RefineContext extends CallContext {
  memory: TenantMemory;
  embedder: Embedder;
}

function withSignal<T extends object>(value: T, signal: AbortSignal | undefined): T & { signal?: AbortSignal } {
  return signal === undefined ? value : { ...value, signal };
}

async function embedOne(context: RefineContext, text: string): Promise<Float32Array> {
  const [vector] = await context.embedder.embedTexts([text], withSignal({ stage: 'memory-write' }, context.signal));
  if (vector === undefined) throw mmevolveError('backend-http', 'the embedder returned no vector for a lesson', 'check the embedder backend');
  return vector;
}

/** What storing one candidate takes: the store write (none for a duplicate) and how its result reads as an outcome. */
export interface LessonPlan {
  write?: LessonWrite;
  outcome: (result: LessonWriteResult | undefined) => StoreOutcome;
}

function writeFailed(): Error {
  return mmevolveError('internal', 'the store returned no result for a planned lesson write', 'report this as a bug');
}

function planDuplicate(lesson: Lesson, candidate: LessonCandidate): LessonPlan {
  return { outcome: () => ({ kind: 'duplicate', lesson, candidateText: candidate.text }) };
}

function planInsert(candidate: LessonCandidate, textVector: Float32Array, rejectedMerge?: RejectedMerge): LessonPlan {
  const { signal, ...fields } = candidate;
  const provenance = signal === undefined ? {} : { provenance: { kind: 'written' as const, fromLessonIds: [], fromVersions: [], signal } };
  return {
    write: { kind: 'insert', lesson: { ...fields, textVector, ...provenance } },
    outcome: (result) => {
      if (result?.kind !== 'insert') throw writeFailed();
      const outcome: StoreOutcome = { kind: result.inserted.created ? 'inserted' : 'duplicate', lesson: result.inserted.lesson, candidateText: candidate.text };
      return rejectedMerge === undefined ? outcome : { ...outcome, rejectedMerge };
    },
  };
}

async function askMerge(context: RefineContext, stream: LessonStream, texts: string[]): Promise<string | undefined> {
  try {
    const result = await recordedChat(context, {
      messages: mergeLessonsMessages(stream, texts),
      schema: { name: 'merge_lessons', schema: taskResponseSchema('merge_lessons') },
      stage: 'memory-merge',
    });
    return result.value.lesson.trim();
  } catch (error) {
    // An unusable merge answer only costs the merge: the lesson is stored as new, and the report says why.
    if (isMmevolveError(error) && error.code === 'invalid-model-output') {
      context.warnings.push({ code: 'merge-invalid-output', message: `merge_lessons answer unusable (${error.message}); lesson stored as new` });
      return undefined;
    }
    throw error;
  }
}

/** Decides how one candidate is stored (duplicate, merge into a similar lesson, or insert) without writing. */
export async function planLesson(context: RefineContext, candidate: LessonCandidate): Promise<LessonPlan> {
  const { memory, config } = context;
  const existing = await memory.findExact(candidate.stream, normaliseLessonText(candidate.text));
  if (existing !== undefined) return planDuplicate(existing, candidate);
  const textVector = await embedOne(context, candidate.text);
  const { mergeThreshold, mergeCandidates } = config.write;
  const similar = (await memory.searchByTextVector(candidate.stream, textVector, mergeCandidates, mergeThreshold)).filter((hit) => hit.score >= mergeThreshold);
  const target = similar[0];
  if (target === undefined) return planInsert(candidate, textVector);

  const merged = await askMerge(context, candidate.stream, [target.lesson.text, candidate.text]);
  if (merged === undefined || merged === '') return planInsert(candidate, textVector);
  const preservation = checkPreservation([target.lesson.text, candidate.text], merged);
  const tooLong = merged.length > config.write.maxMergedChars;
  if (!preservation.ok || tooLong) {
    const rejectedMerge: RejectedMerge = {
      reason: preservation.ok ? 'too-long' : 'lost-content',
      targetId: target.lesson.id,
      targetVersion: target.lesson.version,
      mergedText: merged,
      missingNumbers: preservation.missingNumbers,
      missingEntities: preservation.missingEntities,
    };
    return planInsert(candidate, textVector, rejectedMerge);
  }
  const normalisedMerge = normaliseLessonText(merged);
  if (normalisedMerge === normaliseLessonText(target.lesson.text)) return planDuplicate(target.lesson, candidate);
  const clash = await memory.findExact(candidate.stream, normalisedMerge);
  if (clash !== undefined) return planDuplicate(clash, candidate);

  const mergedVector = await embedOne(context, merged);
  const concepts = [...new Set([...target.lesson.concepts, ...candidate.concepts])];
  const edit: LessonEdit = {
    text: merged,
    textVector: mergedVector,
    concepts,
    ...(candidate.imageVectors === undefined || candidate.imageVectors.length === 0 ? {} : { addImageVectors: candidate.imageVectors }),
    provenance: {
      kind: 'merged',
      fromLessonIds: [target.lesson.id],
      fromVersions: [target.lesson.version],
      note: `merged with a new lesson from problem ${candidate.source.problemId}: ${candidate.text}`,
      ...(candidate.signal === undefined ? {} : { signal: candidate.signal }),
    },
  };
  return {
    write: { kind: 'edit', id: target.lesson.id, edit },
    outcome: (result) => {
      if (result?.kind !== 'edit') throw writeFailed();
      return {
        kind: 'merged',
        lesson: result.lesson,
        candidateText: candidate.text,
        mergedFrom: { version: target.lesson.version, text: target.lesson.text, similarity: target.score },
      };
    },
  };
}

/** Applies the plans' writes in one store transaction (all or none) and returns their outcomes in order. */
export async function applyLessonPlans(memory: TenantMemory, plans: readonly LessonPlan[]): Promise<StoreOutcome[]> {
  const writes = plans.flatMap((plan) => (plan.write === undefined ? [] : [plan.write]));
  const results = writes.length === 0 ? [] : await memory.applyWrites(writes);
  let next = 0;
  return plans.map((plan) => plan.outcome(plan.write === undefined ? undefined : results[next++]));
}

/** Stores one candidate lesson on its own (plan, then one atomic write). */
export async function storeLesson(context: RefineContext, candidate: LessonCandidate): Promise<StoreOutcome> {
  const [outcome] = await applyLessonPlans(context.memory, [await planLesson(context, candidate)]);
  if (outcome === undefined) throw writeFailed();
  return outcome;
}
