/**
 * Lessons for a chat request: the last user message's text (and its first data-URL image) goes through the
 * memory method's own retrieval (src/memory/method/retrieval.ts) with the server's `memory` settings — the
 * same thresholds, minImageScore included, as /v1/solve — and the hits become one system message under a
 * clear header so the model (and anyone reading the prompt) can tell injected lessons from the user's own.
 * Visual lessons are found by image, so a chat without an image gets logic lessons only, as the method does.
 */
import type { Embedder, LessonStream, RgbImage, TenantMemory } from '../core/index.js';
import { embedRetrievalQuery, retrieveLessons } from '../memory/index.js';
import type { MemoryMethodConfig, RetrievedLesson } from '../memory/index.js';

export const LESSON_HEADER = 'Lessons from earlier mistakes on similar problems (retrieved by mmevolve memory; apply them where relevant):';

const BOTH_STREAMS: ReadonlySet<LessonStream> = new Set(['logic', 'visual']);

export async function retrieveForChat(
  memory: TenantMemory,
  embedder: Embedder,
  text: string,
  images: readonly RgbImage[],
  config: MemoryMethodConfig,
  signal?: AbortSignal,
): Promise<RetrievedLesson[]> {
  if (text.trim() === '') return [];
  const query = await embedRetrievalQuery(embedder, text, images[0], signal);
  const { logic, visual } = await retrieveLessons(memory, query, config, BOTH_STREAMS);
  return [...logic, ...visual];
}

export function lessonSystemMessage(lessons: readonly RetrievedLesson[]): string {
  const lines = lessons.map((hit) => `- [${hit.stream}] ${hit.lesson.text.replaceAll('\n', ' ')}`);
  return [LESSON_HEADER, ...lines].join('\n');
}
