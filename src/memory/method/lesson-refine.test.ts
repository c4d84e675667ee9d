import { describe, expect, it } from 'vitest';
import type { RefineContext } from './lesson-refine.js';
import { storeLesson } from './lesson-refine.js';
import { defaultMemoryMethodConfig } from './config.js';
import { fakeEmbedder, lessonRow, scriptedMllm, taskOf, useTestTenantMemory, vectorWithCosine } from './method-test-support.js';
import type { TaskScript } from './method-test-support.js';

const tenant = useTestTenantMemory();

const EXISTING = 'Angles on a straight line sum to 180 degrees.';
const INCOMING = 'Angles around a point sum to 360 degrees.';

/** Existing and incoming lessons 0.95 apart (above the 0.85 merge threshold); everything else far away. */
function context(script: TaskScript): RefineContext & { mllm: ReturnType<typeof scriptedMllm> } {
  const vectors = new Map([
    [EXISTING, vectorWithCosine(1)],
    [INCOMING, vectorWithCosine(0.95)],
  ]);
  return {
    memory: tenant.memory,
    mllm: scriptedMllm(script),
    embedder: fakeEmbedder({ textVector: (text) => vectors.get(text) ?? vectorWithCosine(0.3, 2) }),
    config: defaultMemoryMethodConfig(),
    calls: [],
    warnings: [],
  };
}

const candidate = (text: string) => ({
  stream: 'logic' as const,
  text,
  subject: 'metric geometry - angle',
  concepts: ['angles'],
  source: { problemId: 'p9', question: 'Find x.', imageRefs: ['images/p9.png'] },
});

describe('grow and refine', () => {
  it('merges a similar lesson into a new version that keeps both sources, with provenance', async () => {
    const existing = await tenant.memory.insert(lessonRow('logic', EXISTING, vectorWithCosine(1)));
    const mergedText = 'Angles on a straight line sum to 180 degrees; around a point they sum to 360 degrees.';
    const refine = context({ merge_lessons: () => JSON.stringify({ lesson: mergedText }) });
    const outcome = await storeLesson(refine, candidate(INCOMING));
    expect(outcome.kind).toBe('merged');
    expect(outcome.lesson).toMatchObject({ id: existing.lesson.id, version: 2, text: mergedText });
    expect(outcome.lesson.provenance).toMatchObject({ kind: 'merged', fromLessonIds: [existing.lesson.id], fromVersions: [1] });
    expect(outcome.lesson.provenance.note).toContain(INCOMING);
    const versions = await tenant.memory.versions(existing.lesson.id);
    expect(versions.map((version) => version.text), 'the previous version stays retrievable').toEqual([EXISTING, mergedText]);
    expect((await tenant.memory.list()).total).toBe(1);
    const mergeRequest = refine.mllm.calls.find((call) => taskOf(call) === 'merge_lessons');
    expect(mergeRequest?.messages.at(-1)?.content).toContain(`- ${EXISTING}\n- ${INCOMING}`);
  });

  it('rejects a merge that loses a number and inserts the new lesson on its own', async () => {
    const existing = await tenant.memory.insert(lessonRow('logic', EXISTING, vectorWithCosine(1)));
    const refine = context({ merge_lessons: () => JSON.stringify({ lesson: 'Angles on a line and around a point add up to fixed totals.' }) });
    const outcome = await storeLesson(refine, candidate(INCOMING));
    expect(outcome.kind).toBe('inserted');
    expect(outcome.lesson.text).toBe(INCOMING);
    expect(outcome.rejectedMerge).toMatchObject({ reason: 'lost-content', targetId: existing.lesson.id, targetVersion: 1 });
    expect(outcome.rejectedMerge?.missingNumbers.sort()).toEqual(['180', '360']);
    expect((await tenant.memory.get(existing.lesson.id))?.version, 'the existing lesson is untouched').toBe(1);
    expect((await tenant.memory.list()).total).toBe(2);
  });

  it('rejects a merge longer than write.maxMergedChars even when it keeps everything', async () => {
    await tenant.memory.insert(lessonRow('logic', EXISTING, vectorWithCosine(1)));
    const refine = context({ merge_lessons: () => JSON.stringify({ lesson: `${EXISTING} Also: ${INCOMING}` }) });
    const outcome = await storeLesson({ ...refine, config: { ...refine.config, write: { ...refine.config.write, maxMergedChars: 60 } } }, candidate(INCOMING));
    expect(outcome.kind).toBe('inserted');
    expect(outcome.rejectedMerge?.reason).toBe('too-long');
    expect(outcome.rejectedMerge?.missingNumbers).toEqual([]);
  });

  it('does not store an exact duplicate twice (case and spacing aside) and asks no model', async () => {
    await tenant.memory.insert(lessonRow('logic', EXISTING, vectorWithCosine(1)));
    const refine = context({});
    const outcome = await storeLesson(refine, candidate('  angles on a STRAIGHT line   sum to 180 degrees. '));
    expect(outcome.kind).toBe('duplicate');
    expect(refine.mllm.calls).toHaveLength(0);
    expect((await tenant.memory.list()).total).toBe(1);
  });

  it('inserts a lesson with no similar lesson in its stream without merging', async () => {
    await tenant.memory.insert(lessonRow('visual', EXISTING, vectorWithCosine(1), vectorWithCosine(1)));
    const refine = context({});
    const outcome = await storeLesson(refine, candidate(INCOMING));
    expect(outcome.kind).toBe('inserted');
    expect(refine.mllm.calls, 'a visual lesson is never a merge target for a logic lesson').toHaveLength(0);
  });

  it('treats a merge that says nothing new as a duplicate of the existing lesson', async () => {
    const existing = await tenant.memory.insert(lessonRow('logic', `${EXISTING} Around a point they sum to 360 degrees.`, vectorWithCosine(1)));
    const refine = context({ merge_lessons: () => JSON.stringify({ lesson: existing.lesson.text }) });
    const outcome = await storeLesson({ ...refine, embedder: fakeEmbedder({ textVector: () => vectorWithCosine(0.95) }) }, candidate(INCOMING));
    expect(outcome.kind).toBe('duplicate');
    expect((await tenant.memory.get(existing.lesson.id))?.version).toBe(1);
  });
});
