/**
 * Retrieval of both lesson streams, in parallel (ViLoMem): logic lessons by cosine between the text query
 * ("question + subject + key concepts") and lesson texts; visual lessons by the problem image against the
 * lessons' source images, then re-ranked by the same text query. Every retrieval adds one use to each
 * lesson it returns.
 */
import { cosineOfCommonPrefix, mmevolveError } from '../../core/index.js';
import type { Embedder, Lesson, LessonStream, RgbImage, TenantMemory } from '../../core/index.js';
import type { MemoryMethodConfig } from './config.js';

export interface RetrievedLesson {
  lesson: Lesson;
  stream: LessonStream;
  /** The score the threshold was applied to: text cosine (both streams; visual after the re-rank). */
  score: number;
  /** Visual lessons: the cosine of the best-matching source image. */
  imageScore?: number;
}

export interface RetrievalQuery {
  /** The text embedded for both streams. */
  text: string;
  textVector: Float32Array;
  /** Present when the visual stream is searched. */
  imageVector?: Float32Array;
}

export interface RetrievalResult {
  logic: RetrievedLesson[];
  visual: RetrievedLesson[];
}

/** The text query of the paper: the question, then its subject and key concepts. */
export function retrievalQueryText(question: string, subject: string, concepts: readonly string[]): string {
  return [question.trim(), `Subject: ${subject}`, `Key concepts: ${concepts.join(', ')}`].join('\n');
}

async function retrieveLogic(memory: TenantMemory, query: RetrievalQuery, config: MemoryMethodConfig): Promise<RetrievedLesson[]> {
  const { k, minScore } = config.retrieval.logic;
  if (k === 0) return [];
  const hits = await memory.searchByTextVector('logic', query.textVector, k, minScore);
  return hits.filter((hit) => hit.score >= minScore).slice(0, k).map((hit) => ({ lesson: hit.lesson, stream: 'logic', score: hit.score }));
}

async function retrieveVisual(memory: TenantMemory, query: RetrievalQuery, config: MemoryMethodConfig): Promise<RetrievedLesson[]> {
  const { imageCandidates, minImageScore, k, minScore } = config.retrieval.visual;
  if (k === 0 || imageCandidates === 0 || query.imageVector === undefined) return [];
  const candidates = await memory.searchByImageVector(query.imageVector, imageCandidates, minImageScore);
  if (candidates.length === 0) return [];
  const textVectors = await memory.textVectors(candidates.map((candidate) => candidate.lesson.id));
  return candidates
    .flatMap((candidate) => {
      const vector = textVectors.get(candidate.lesson.id);
      if (vector === undefined) return [];
      const retrieved: RetrievedLesson = { lesson: candidate.lesson, stream: 'visual', score: cosineOfCommonPrefix(query.textVector, vector), imageScore: candidate.score };
      return [retrieved];
    })
    .filter((candidate) => candidate.score >= minScore)
    .sort((left, right) => right.score - left.score || (right.imageScore ?? 0) - (left.imageScore ?? 0))
    .slice(0, k);
}

/** Both streams in parallel (a stream left out of `streams` is not searched); usage counts updated. */
export async function retrieveLessons(
  memory: TenantMemory,
  query: RetrievalQuery,
  config: MemoryMethodConfig,
  streams: ReadonlySet<LessonStream>,
): Promise<RetrievalResult> {
  const [logic, visual] = await Promise.all([
    streams.has('logic') ? retrieveLogic(memory, query, config) : Promise.resolve([]),
    streams.has('visual') ? retrieveVisual(memory, query, config) : Promise.resolve([]),
  ]);
  const ids = [...logic, ...visual].map((retrieved) => retrieved.lesson.id);
  if (ids.length > 0) await memory.recordUsage(ids);
  return { logic, visual };
}

/** Embeds the query text (and the image when the visual stream is searched), in parallel. */
export async function embedRetrievalQuery(
  embedder: Embedder,
  text: string,
  image: RgbImage | undefined,
  signal?: AbortSignal,
): Promise<RetrievalQuery> {
  const options = { stage: 'memory-retrieval', ...(signal === undefined ? {} : { signal }) };
  const [texts, images] = await Promise.all([
    embedder.embedTexts([text], options),
    image === undefined ? Promise.resolve([]) : embedder.embedImages([image], options),
  ]);
  const textVector = texts[0];
  if (textVector === undefined) throw mmevolveError('backend-http', 'the embedder returned no vector for the retrieval query', 'check the embedder backend');
  const imageVector = images[0];
  return imageVector === undefined ? { text, textVector } : { text, textVector, imageVector };
}
