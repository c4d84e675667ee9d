/**
 * What solveWithMemory returns — everything a VQA report needs (answer, verdict with its deciding rule,
 * lessons retrieved / written / merged, calls) — and the events it emits while it works.
 */
import type { Box, CallRecord, Embedder, LessonSignal, LessonStream, Warning } from '../../core/index.js';
import type { AnswerVerdict } from '../verify/verify-answer.js';
import type { SelfCheck } from './learn.js';
import type { RejectedMerge, StoreOutcome } from './lesson-refine.js';
import type { SolveMode } from './prompts.js';

export interface UsedLesson {
  id: string;
  stream: LessonStream;
  version: number;
  text: string;
  /** The score the threshold was applied to (text cosine; for visual lessons after the re-rank). */
  score: number;
  /** Visual lessons: cosine of the best-matching source image. */
  imageScore?: number;
}

export interface WrittenLesson {
  id: string;
  stream: LessonStream;
  text: string;
}

export interface MergedLesson {
  id: string;
  stream: LessonStream;
  /** The new version created by the merge, and the one it was made from. */
  version: number;
  fromVersion: number;
  text: string;
  previousText: string;
  /** The newly written lesson that was merged in. */
  candidateText: string;
  similarity: number;
}

export interface SolveResult {
  problemId: string;
  mode: SolveMode;
  ablate?: LessonStream;
  /** The answer MATH-V's extraction gives (normalised, lower case). */
  answer: string;
  /** The content of the response's last \boxed{}, as written. */
  finalAnswer: string | undefined;
  /** The solver's full response (its reasoning). */
  response: string;
  analysis?: { subject: string; concepts: string[]; fromModel: boolean };
  /** Present when the problem has a gold answer. */
  verdict?: AnswerVerdict;
  /** Label-free mode without a gold answer: the model's own check of its answer. */
  selfCheck?: SelfCheck;
  /** What judged the answer, and so what any lessons written here record as their signal. */
  learnedFrom?: LessonSignal;
  /** The logic writer's classification of the failure, when lessons were written. */
  errorType?: 'logical' | 'visual';
  /** Zoom hint region (original pixels), when a crop was attached. */
  zoomBox?: Box;
  lessonsUsed: UsedLesson[];
  /** New lessons inserted after a failure. */
  lessonsWritten: WrittenLesson[];
  /** Existing lessons that a new lesson was merged into (each a new version). */
  lessonsMerged: MergedLesson[];
  /** Written lessons that an existing lesson already said (not stored twice). */
  duplicates: WrittenLesson[];
  /** Merges refused by the preservation check (the lesson was inserted as new instead). */
  mergesRejected: (RejectedMerge & { stream: LessonStream; insertedId: string })[];
  /** Every MLLM call (analysis, zoom, solver, judge, writers, merges). */
  calls: CallRecord[];
  /** Inputs sent to the embedder. */
  embeddings: { texts: number; images: number };
  warnings: Warning[];
}

export type SolveEvent =
  | { type: 'problem-analysed'; problemId: string; subject: string; concepts: string[] }
  | { type: 'lessons-retrieved'; problemId: string; logic: number; visual: number }
  | { type: 'answer-given'; problemId: string; answer: string }
  | { type: 'answer-verified'; problemId: string; correct: boolean; rule: string }
  | { type: 'lesson-written'; problemId: string; lesson: WrittenLesson }
  | { type: 'lesson-merged'; problemId: string; lesson: MergedLesson }
  | { type: 'lesson-duplicate'; problemId: string; lesson: WrittenLesson }
  | { type: 'merge-rejected'; problemId: string; reason: 'lost-content' | 'too-long'; targetId: string; missingNumbers: string[]; missingEntities: string[] };

/** Wraps an embedder to count the texts and images it embeds. */
export function countingEmbedder(inner: Embedder): { embedder: Embedder; counts: { texts: number; images: number } } {
  const counts = { texts: 0, images: 0 };
  const embedder: Embedder = {
    model: inner.model,
    kind: inner.kind,
    embedTexts: (texts, options) => {
      counts.texts += texts.length;
      return inner.embedTexts(texts, options);
    },
    embedImages: (images, options) => {
      counts.images += images.length;
      return inner.embedImages(images, options);
    },
  };
  return { embedder, counts };
}

/** Sorts store outcomes into the result's lists and emits one event each. */
export function summariseOutcomes(result: SolveResult, outcomes: readonly StoreOutcome[], emit: (event: SolveEvent) => void): void {
  const problemId = result.problemId;
  for (const outcome of outcomes) {
    const { lesson } = outcome;
    const written: WrittenLesson = { id: lesson.id, stream: lesson.stream, text: lesson.text };
    if (outcome.rejectedMerge !== undefined) {
      result.mergesRejected.push({ ...outcome.rejectedMerge, stream: lesson.stream, insertedId: lesson.id });
      emit({ type: 'merge-rejected', problemId, reason: outcome.rejectedMerge.reason, targetId: outcome.rejectedMerge.targetId, missingNumbers: outcome.rejectedMerge.missingNumbers, missingEntities: outcome.rejectedMerge.missingEntities });
    }
    if (outcome.kind === 'inserted') {
      result.lessonsWritten.push(written);
      emit({ type: 'lesson-written', problemId, lesson: written });
    } else if (outcome.kind === 'duplicate') {
      result.duplicates.push(written);
      emit({ type: 'lesson-duplicate', problemId, lesson: written });
    } else if (outcome.mergedFrom !== undefined) {
      const merged: MergedLesson = {
        id: lesson.id,
        stream: lesson.stream,
        version: lesson.version,
        fromVersion: outcome.mergedFrom.version,
        text: lesson.text,
        previousText: outcome.mergedFrom.text,
        candidateText: outcome.candidateText,
        similarity: outcome.mergedFrom.similarity,
      };
      result.lessonsMerged.push(merged);
      emit({ type: 'lesson-merged', problemId, lesson: merged });
    }
  }
}
