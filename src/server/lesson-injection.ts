/**
 * Lessons for a chat request: the last user message's text (and its data-URL images) is matched against
 * the tenant's two streams with the memory method's published defaults (ViLoMem: top-3 above cosine 0.7;
 * visual lessons found by image, re-ranked by the text), and the hits become one system message under a
 * clear header so the model (and anyone reading the prompt) can tell injected lessons from the user's own.
 */
import { cosineOfCommonPrefix } from '../core/index.js';
import type { Embedder, Lesson, LessonStream, RgbImage, TenantMemory } from '../core/index.js';

export interface InjectionSettings {
  /** Lessons per stream. */
  k: number;
  /** Cosine floor on the text score (both streams). */
  minScore: number;
  /** Visual candidates taken by image similarity before the text re-rank. */
  imageCandidates: number;
}

// ViLoMem (arXiv 2511.21678) retrieval defaults, the same the memory method uses.
export const DEFAULT_INJECTION_SETTINGS: InjectionSettings = { k: 3, minScore: 0.7, imageCandidates: 10 };

export const LESSON_HEADER = 'Lessons from earlier mistakes on similar problems (retrieved by mmevolve memory; apply them where relevant):';

export interface InjectedLesson {
  lesson: Lesson;
  stream: LessonStream;
  score: number;
}

export async function retrieveForChat(
  memory: TenantMemory,
  embedder: Embedder,
  text: string,
  images: readonly RgbImage[],
  settings: InjectionSettings,
  signal?: AbortSignal,
): Promise<InjectedLesson[]> {
  if (text.trim() === '' || settings.k === 0) return [];
  const options = { stage: 'proxy-retrieval', ...(signal === undefined ? {} : { signal }) };
  const [textVector] = await embedder.embedTexts([text], options);
  if (textVector === undefined) return [];
  const logic = (await memory.searchByTextVector('logic', textVector, settings.k, settings.minScore))
    .filter((hit) => hit.score >= settings.minScore)
    .map((hit): InjectedLesson => ({ lesson: hit.lesson, stream: 'logic', score: hit.score }));
  let visual: InjectedLesson[];
  const firstImage = images[0];
  if (firstImage !== undefined) {
    const [imageVector] = await embedder.embedImages([firstImage], options);
    const candidates = imageVector === undefined ? [] : await memory.searchByImageVector(imageVector, settings.imageCandidates);
    const textVectors = await memory.textVectors(candidates.map((candidate) => candidate.lesson.id));
    visual = candidates.flatMap((candidate) => {
      const vector = textVectors.get(candidate.lesson.id);
      return vector === undefined ? [] : [{ lesson: candidate.lesson, stream: 'visual' as const, score: cosineOfCommonPrefix(textVector, vector) }];
    });
  } else {
    // No image to match: visual lessons are still found by what the question says.
    visual = (await memory.searchByTextVector('visual', textVector, settings.k, settings.minScore)).map((hit) => ({ lesson: hit.lesson, stream: 'visual' as const, score: hit.score }));
  }
  visual = visual.filter((hit) => hit.score >= settings.minScore).sort((left, right) => right.score - left.score).slice(0, settings.k);
  const found = [...logic, ...visual];
  if (found.length > 0) await memory.recordUsage(found.map((hit) => hit.lesson.id));
  return found;
}

export function lessonSystemMessage(lessons: readonly InjectedLesson[]): string {
  const lines = lessons.map((hit) => `- [${hit.stream}] ${hit.lesson.text.replaceAll('\n', ' ')}`);
  return [LESSON_HEADER, ...lines].join('\n');
}
