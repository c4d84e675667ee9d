import { afterEach, describe, expect, it } from 'vitest';
import { mmevolveError } from '../../core/index.js';
import type { ChatRequest, MemoryExportRecord, TenantMemory } from '../../core/index.js';
import { openMemoryStore } from '../store/index.js';
import type { SqliteMemoryStore } from '../store/index.js';
import { solveWithMemory } from './solve.js';
import { DIMENSIONS, fakeEmbedder, lessonRow, scriptedMllm, taskOf, testProblem, userText, vectorWithCosine } from './method-test-support.js';
import type { TaskScript } from './method-test-support.js';

/** The fake embedder puts every lesson text here (orthogonal to the retrieval query, so nothing is retrieved). */
const LESSON_VECTOR = vectorWithCosine(0, 2);
const LOGIC_LESSON = 'Count overlapping triangles formed by 2 or more regions, not only the 1-region ones.';
const EXISTING_TEXT = 'Triangles may share 1 edge.';

let store: SqliteMemoryStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

type Hook = 'now' | 'newId';

/** Tenant alice's memory in a store whose `hook` throws on its `failOn`-th call once armed (a failure inside a store write). */
function faultyMemory(): { memory: TenantMemory; arm: (hook: Hook, failOn: number) => void } {
  let fault: { hook: Hook; remaining: number } | undefined;
  let ids = 0;
  const trip = (hook: Hook): void => {
    if (fault?.hook !== hook) return;
    fault.remaining -= 1;
    if (fault.remaining === 0) throw mmevolveError('internal', `injected store failure in ${hook}()`, 'test fault');
  };
  store = openMemoryStore({
    path: ':memory:',
    dimensions: DIMENSIONS,
    embeddingModel: 'fake-embedding',
    now: () => {
      trip('now');
      return new Date(Date.UTC(2026, 0, 1));
    },
    newId: () => {
      trip('newId');
      return `les_${++ids}`;
    },
  });
  return { memory: store.forTenant('alice'), arm: (hook, failOn) => (fault = { hook, remaining: failOn }) };
}

async function exported(memory: TenantMemory): Promise<string> {
  const records: MemoryExportRecord[] = [];
  for await (const record of memory.export()) records.push(record);
  return JSON.stringify(records);
}

/** A merge answer keeping every entity and number of both lessons (the preservation check accepts it). */
function keepBoth(request: ChatRequest<unknown>): string {
  const lines = userText(request).split('\n').filter((line) => line.startsWith('- '));
  return JSON.stringify({ lesson: lines.map((line) => line.slice(2)).join(' ') });
}

function solveWrong(memory: TenantMemory, script: TaskScript): { mllm: ReturnType<typeof scriptedMllm>; result: Promise<unknown> } {
  const mllm = scriptedMllm({ merge_lessons: keepBoth, ...script });
  const result = solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder({ textVector: () => LESSON_VECTOR }), mode: 'memory', memory });
  return { mllm, result };
}

describe('lesson writes of one failure are all or nothing', () => {
  it('writes both streams in one step: the logic lesson merged into its neighbour and the visual lesson inserted', async () => {
    const { memory } = faultyMemory();
    const existing = (await memory.insert(lessonRow('logic', EXISTING_TEXT, LESSON_VECTOR))).lesson;
    const { result } = solveWrong(memory, {});
    const solved = (await result) as { lessonsMerged: { id: string }[]; lessonsWritten: { stream: string }[] };
    expect(solved.lessonsMerged.map((lesson) => lesson.id)).toEqual([existing.id]);
    expect(solved.lessonsWritten.map((lesson) => lesson.stream)).toEqual(['visual']);
    expect((await memory.get(existing.id))?.text).toBe(`${EXISTING_TEXT} ${LOGIC_LESSON}`);
  });

  it('leaves the store byte-for-byte unchanged when the second writer\'s model call fails after the first finished', async () => {
    const { memory } = faultyMemory();
    await memory.insert(lessonRow('logic', EXISTING_TEXT, LESSON_VECTOR));
    const before = await exported(memory);
    const { mllm, result } = solveWrong(memory, {
      write_visual_lesson: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw mmevolveError('backend-unavailable', 'injected: the visual writer\'s backend is down', 'test fault');
      },
    });
    await expect(result).rejects.toThrow('visual writer');
    const tasks = mllm.calls.map(taskOf);
    expect(tasks, 'the logic branch got its lesson and its merge before the failure').toEqual(expect.arrayContaining(['write_logic_lesson', 'merge_lessons']));
    expect(await exported(memory), 'nothing of the logic lesson or its merge reached the store').toBe(before);
  });

  it('leaves the store byte-for-byte unchanged, with no restored version, when the merge edit fails after the insert ran', async () => {
    const { memory, arm } = faultyMemory();
    // The visual lesson merges into this one; the logic lesson is inserted first in the same transaction.
    const existing = (await memory.insert(lessonRow('visual', 'Hidden triangles hide in 1 corner.', LESSON_VECTOR))).lesson;
    const before = await exported(memory);
    arm('now', 2); // the insert's clock read passes, the edit's fails
    const { result } = solveWrong(memory, {});
    await expect(result).rejects.toThrow('injected store failure in now()');
    expect(await exported(memory)).toBe(before);
    expect((await memory.versions(existing.id)).map((version) => version.provenance.kind)).toEqual(['written']);
  });

  it('leaves the store byte-for-byte unchanged when the insert fails after the merge edit ran', async () => {
    const { memory, arm } = faultyMemory();
    const existing = (await memory.insert(lessonRow('logic', EXISTING_TEXT, LESSON_VECTOR))).lesson;
    const before = await exported(memory);
    arm('newId', 1); // the edit needs no id; the visual insert after it does
    const { mllm, result } = solveWrong(memory, {});
    await expect(result).rejects.toThrow('injected store failure in newId()');
    expect(mllm.calls.map(taskOf), 'the merge was planned before the write').toContain('merge_lessons');
    expect(await exported(memory)).toBe(before);
    expect((await memory.versions(existing.id)).map((version) => version.text), 'no merged or restored version').toEqual([EXISTING_TEXT]);
  });
});
