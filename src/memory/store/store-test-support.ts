/** Shared by the store's tests: a small in-memory workspace, deterministic vectors and lesson factories. */
import type { LessonStream, NewLesson } from '../../core/index.js';
import { seededRandom } from '../../core/index.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import type { OpenMemoryStoreOptions, SqliteMemoryStore } from './sqlite-memory-store.js';

export const TEST_DIMENSIONS = 8;
export const TEST_MODEL = 'test-embedding-v1';

/** A vector pointing mostly along `axis`, nudged by `nudge` along the next axis (so neighbours are ordered). */
export function axisVector(axis: number, nudge = 0, dimensions = TEST_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  vector[axis % dimensions] = 1;
  vector[(axis + 1) % dimensions] = nudge;
  return vector;
}

export function openTestStore(overrides: Partial<OpenMemoryStoreOptions> = {}): SqliteMemoryStore {
  let tick = 0;
  let counter = 0;
  return openMemoryStore({
    path: ':memory:',
    dimensions: TEST_DIMENSIONS,
    embeddingModel: TEST_MODEL,
    // One second per call keeps createdAt ordering and version times distinct and predictable.
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
    newId: () => `les_${String(++counter).padStart(4, '0')}`,
    ...overrides,
  });
}

export function newLesson(text: string, stream: LessonStream, axis: number, nudge = 0): NewLesson {
  const lesson: NewLesson = {
    stream,
    text,
    subject: stream === 'visual' ? 'geometry' : 'algebra',
    concepts: ['angles', 'parallel lines'],
    source: { problemId: `p-${axis}`, question: `question about ${text}`, imageRefs: stream === 'visual' ? [`images/${axis}.png`] : [] },
    textVector: axisVector(axis, nudge),
  };
  if (stream === 'visual') lesson.imageVectors = [{ imageRef: `images/${axis}.png`, vector: axisVector(axis, nudge) }];
  return lesson;
}

/** `count` seeded vectors scattered (±0.35 per coordinate) around `clusters` random centres, like the bench's. */
export function clusteredVectors(count: number, dimensions: number, clusters: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dimensions }, () => random() * 2 - 1));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)] ?? new Float32Array(dimensions);
    return centre.map((value) => value + (random() * 2 - 1) * 0.35);
  });
}
