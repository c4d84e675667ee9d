/**
 * Grow and refine: a new lesson is stored unless it already exists (exact duplicate, normalised text);
 * when an existing lesson of the same stream is similar enough, the two are merged by the MLLM into a
 * new version of the existing lesson — only if the merged text keeps every entity and number of both
 * (else the merge is rejected and the new lesson stored on its own). Earlier versions stay in the store.
 */
import { isMmevolveError, mmevolveError, normaliseLessonText, taskResponseSchema } from '../../core/index.js';
import type { Embedder, Lesson, LessonImageVector, LessonSource, LessonStream, TenantMemory } from '../../core/index.js';
import { callSettings } from './call-context.js';
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

async function insertNew(context: RefineContext, candidate: LessonCandidate, textVector: Float32Array): Promise<StoreOutcome> {
  const inserted = await context.memory.insert({ ...candidate, textVector });
  return { kind: inserted.created ? 'inserted' : 'duplicate', lesson: inserted.lesson, candidateText: candidate.text };
}

async function askMerge(context: RefineContext, stream: LessonStream, texts: string[]): Promise<string | undefined> {
  try {
    const result = await context.mllm.chat({
          messages: mergeLessonsMessages(stream, texts),
          schema: { name: 'merge_lessons', schema: taskResponseSchema('merge_lessons') },
          stage: 'memory-merge',
          ...callSettings(context),
        },
      );
    context.calls.push(result.call);
    context.warnings.push(...result.warnings);
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

/** Stores one candidate lesson: duplicate, merge into a similar lesson, or insert. */
export async function storeLesson(context: RefineContext, candidate: LessonCandidate): Promise<StoreOutcome> {
  const { memory, config } = context;
  const existing = await memory.findExact(candidate.stream, normaliseLessonText(candidate.text));
  if (existing !== undefined) return { kind: 'duplicate', lesson: existing, candidateText: candidate.text };
  const textVector = await embedOne(context, candidate.text);
  const { mergeThreshold, mergeCandidates } = config.write;
  const similar = (await memory.searchByTextVector(candidate.stream, textVector, mergeCandidates, mergeThreshold)).filter((hit) => hit.score >= mergeThreshold);
  const target = similar[0];
  if (target === undefined) return insertNew(context, candidate, textVector);

  const merged = await askMerge(context, candidate.stream, [target.lesson.text, candidate.text]);
  if (merged === undefined || merged === '') return insertNew(context, candidate, textVector);
  const preservation = checkPreservation([target.lesson.text, candidate.text], merged);
  const tooLong = merged.length > config.write.maxMergedChars;
  if (!preservation.ok || tooLong) {
    const outcome = await insertNew(context, candidate, textVector);
    const rejectedMerge: RejectedMerge = {
      reason: preservation.ok ? 'too-long' : 'lost-content',
      targetId: target.lesson.id,
      targetVersion: target.lesson.version,
      mergedText: merged,
      missingNumbers: preservation.missingNumbers,
      missingEntities: preservation.missingEntities,
    };
    return { ...outcome, rejectedMerge };
  }
  const normalisedMerge = normaliseLessonText(merged);
  if (normalisedMerge === normaliseLessonText(target.lesson.text)) return { kind: 'duplicate', lesson: target.lesson, candidateText: candidate.text };
  const clash = await memory.findExact(candidate.stream, normalisedMerge);
  if (clash !== undefined) return { kind: 'duplicate', lesson: clash, candidateText: candidate.text };

  const mergedVector = await embedOne(context, merged);
  const concepts = [...new Set([...target.lesson.concepts, ...candidate.concepts])];
  const lesson = await memory.edit(target.lesson.id, {
    text: merged,
    textVector: mergedVector,
    concepts,
    ...(candidate.imageVectors === undefined || candidate.imageVectors.length === 0 ? {} : { addImageVectors: candidate.imageVectors }),
    provenance: {
      kind: 'merged',
      fromLessonIds: [target.lesson.id],
      fromVersions: [target.lesson.version],
      note: `merged with a new lesson from problem ${candidate.source.problemId}: ${candidate.text}`,
    },
  });
  return {
    kind: 'merged',
    lesson,
    candidateText: candidate.text,
    mergedFrom: { version: target.lesson.version, text: target.lesson.text, similarity: target.score },
  };
}
