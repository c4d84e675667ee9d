/** Shared by the method's tests: controllable vectors, a scripted MLLM routed by task, a small problem. */
import { afterEach, beforeEach } from 'vitest';
import { createRecordingMllmClient } from '../../backends/__tests__/recording-mocks.js';
import type { RecordingMllmClient } from '../../backends/__tests__/recording-mocks.js';
import { messageText, taskFromRequest } from '../../core/index.js';
import type { ChatRequest, Embedder, NewLesson, RgbImage, TaskName, TenantMemory } from '../../core/index.js';
import { openMemoryStore } from '../store/index.js';
import type { SqliteMemoryStore } from '../store/index.js';
import type { MemoryProblem } from './problem.js';

export const DIMENSIONS = 4;

/** A unit vector whose cosine with the query [1, 0, 0, 0] is `cosine` (the rest along axis 1 or 2). */
export function vectorWithCosine(cosine: number, axis: 1 | 2 = 1): Float32Array {
  const vector = new Float32Array(DIMENSIONS);
  vector[0] = cosine;
  vector[axis] = Math.sqrt(Math.max(0, 1 - cosine * cosine));
  return vector;
}

export const QUERY_VECTOR = vectorWithCosine(1);

export interface FakeEmbedder extends Embedder {
  texts: string[];
  images: RgbImage[];
}

/**
 * Retrieval queries (they carry a "Subject:" line) embed to QUERY_VECTOR; other texts to `textVector(text)`
 * (default: orthogonal to the query); images to `imageVector`.
 */
export function fakeEmbedder(options: { textVector?: (text: string) => Float32Array; imageVector?: Float32Array } = {}): FakeEmbedder {
  const texts: string[] = [];
  const images: RgbImage[] = [];
  return {
    model: 'fake-embedding',
    kind: 'semantic',
    texts,
    images,
    embedTexts: (batch) => {
      texts.push(...batch);
      return Promise.resolve(batch.map((text) => (text.includes('\nSubject: ') ? QUERY_VECTOR : (options.textVector?.(text) ?? vectorWithCosine(0, 2)))));
    },
    embedImages: (batch) => {
      images.push(...batch);
      return Promise.resolve(batch.map(() => options.imageVector ?? QUERY_VECTOR));
    },
  };
}

export function openTestMemory(): SqliteMemoryStore {
  return openMemoryStore({ path: ':memory:', dimensions: DIMENSIONS, embeddingModel: 'fake-embedding' });
}

/** A fresh in-memory store for each test of the calling file (closed after it); `.memory` is tenant alice's. */
export function useTestTenantMemory(): { readonly memory: TenantMemory } {
  let store: SqliteMemoryStore | undefined;
  let memory: TenantMemory | undefined;
  beforeEach(() => {
    store = openTestMemory();
    memory = store.forTenant('alice');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    memory = undefined;
  });
  return {
    get memory(): TenantMemory {
      if (memory === undefined) throw new Error('useTestTenantMemory: the tenant memory exists only inside a test');
      return memory;
    },
  };
}

export function tinyImage(): RgbImage {
  return { width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).fill(200) };
}

export function testProblem(overrides: Partial<MemoryProblem> = {}): MemoryProblem {
  return {
    id: 'p1',
    question: 'How many triangles are in the figure?\n<image1>',
    options: [],
    image: tinyImage(),
    imageRef: 'images/p1.png',
    answer: '4',
    subject: 'counting',
    ...overrides,
  };
}

export function lessonRow(stream: 'logic' | 'visual', text: string, vector: Float32Array, imageVector?: Float32Array): NewLesson {
  const lesson: NewLesson = {
    stream,
    text,
    subject: 'counting',
    concepts: ['triangles'],
    source: { problemId: 'earlier', question: 'an earlier question', imageRefs: ['images/earlier.png'] },
    textVector: vector,
  };
  if (imageVector !== undefined) lesson.imageVectors = [{ imageRef: 'images/earlier.png', vector: imageVector }];
  return lesson;
}

export type TaskScript = Partial<Record<TaskName, (request: ChatRequest<unknown>) => string | Promise<string>>>;

const DEFAULT_SCRIPT: TaskScript = {
  analyze_problem: () => JSON.stringify({ subject: 'counting', concepts: ['triangles', 'overlapping shapes'] }),
  answer_vqa: () => 'There are 3 triangles.\nThe answer is \\boxed{3}.',
  write_logic_lesson: () => JSON.stringify({ errorType: 'logical', lesson: 'Count overlapping triangles formed by 2 or more regions, not only the 1-region ones.' }),
  write_visual_lesson: () => JSON.stringify({ lesson: 'Look for triangles hidden inside larger triangles where lines cross.' }),
  merge_lessons: () => JSON.stringify({ lesson: 'merged' }),
  judge_answer: () => JSON.stringify({ equivalent: false }),
  zoom_region: () => JSON.stringify({ bbox_2d: [0, 0, 4, 4] }),
};

/** An MLLM mock answering each task with `script[task]` (or a default), recording every request. */
export function scriptedMllm(script: TaskScript = {}): RecordingMllmClient {
  return createRecordingMllmClient(async (request) => {
    const task = taskFromRequest({ messages: request.messages.map((message) => ({ role: message.role, content: message.content })) });
    const answer = task === undefined ? undefined : (script[task] ?? DEFAULT_SCRIPT[task]);
    if (answer === undefined) throw new Error(`scripted MLLM has no answer for task ${task ?? '(none)'}`);
    return answer(request);
  });
}

/** The task of a recorded request. */
export function taskOf(request: ChatRequest<unknown>): TaskName | undefined {
  return taskFromRequest({ messages: request.messages.map((message) => ({ role: message.role, content: message.content })) });
}

/** The user text of a recorded request. */
export function userText(request: ChatRequest<unknown>): string {
  return request.messages.filter((message) => message.role === 'user').map((message) => messageText(message.content)).join('\n');
}
