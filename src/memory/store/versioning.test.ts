import { describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../core/index.js';
import { isMmevolveError, normaliseLessonText } from '../../core/index.js';
import { STORE_KINDS, axisVector, newLesson, useTestStores } from './store-test-support.js';

async function errorCode(action: Promise<unknown>): Promise<string | undefined> {
  const error = await action.then(() => undefined, (caught: unknown) => caught);
  return isMmevolveError(error) ? error.code : undefined;
}

describe.each(STORE_KINDS)('non-destructive versioning of lessons (%s)', (kind) => {
  const stores = useTestStores(kind);
  let store: MemoryStore;

  it('keeps every earlier version when a merge rewrites a lesson, with the merge provenance', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const { lesson: original } = await tenant.insert(newLesson('Angles on a straight line sum to 180 degrees', 'logic', 1));
    const merged = await tenant.edit(original.id, {
      text: 'Angles on a straight line sum to 180 degrees; around a point they sum to 360 degrees',
      textVector: axisVector(1, 0.3),
      concepts: ['angles', 'straight line', 'full turn'],
      provenance: { kind: 'merged', fromLessonIds: [original.id, 'les_incoming'], fromVersions: [1, 1], note: 'merged with the lesson from problem 42' },
    });
    expect(merged.version).toBe(2);
    expect(merged.createdAt, 'creation time belongs to the lesson, not the version').toBe(original.createdAt);
    expect(merged.updatedAt > original.updatedAt).toBe(true);

    const versions = await tenant.versions(original.id);
    expect(versions.map((version) => [version.version, version.text, version.provenance.kind])).toEqual([
      [1, 'Angles on a straight line sum to 180 degrees', 'written'],
      [2, 'Angles on a straight line sum to 180 degrees; around a point they sum to 360 degrees', 'merged'],
    ]);
    expect(versions[1]?.provenance).toEqual({ kind: 'merged', fromLessonIds: [original.id, 'les_incoming'], fromVersions: [1, 1], note: 'merged with the lesson from problem 42' });
    expect(versions[0]?.concepts).toEqual(['angles', 'parallel lines']);
  });

  it('restores an old version as a new version and searches with that version\'s vector again', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const { lesson } = await tenant.insert(newLesson('Use the scale bar, not the grid', 'visual', 2));
    await tenant.edit(lesson.id, { text: 'Use the grid spacing', textVector: axisVector(6) });
    expect((await tenant.searchByTextVector('visual', axisVector(2), 1, 0.9)).length, 'after the edit the old vector no longer matches').toBe(0);

    const restored = await tenant.restore(lesson.id, 1);
    expect([restored.version, restored.text]).toEqual([3, 'Use the scale bar, not the grid']);
    expect(restored.provenance).toEqual({ kind: 'restored', fromLessonIds: [lesson.id], fromVersions: [1] });
    const hits = await tenant.searchByTextVector('visual', axisVector(2), 1, 0.9);
    expect(hits.map((hit) => hit.lesson.id)).toEqual([lesson.id]);
    expect((await tenant.versions(lesson.id)).map((version) => version.version)).toEqual([1, 2, 3]);
    expect(await errorCode(tenant.restore(lesson.id, 9)), 'restoring a version that never existed').toBe('not-found');
  });

  it('refuses a text change without its new vector rather than keeping a stale embedding', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const { lesson } = await tenant.insert(newLesson('Check units before comparing', 'logic', 3));
    expect(await errorCode(tenant.edit(lesson.id, { text: 'Check units first' }))).toBe('invalid-input');
    expect((await tenant.versions(lesson.id)).length, 'a refused edit leaves no version behind').toBe(1);
    const relabelled = await tenant.edit(lesson.id, { subject: 'measurement' });
    expect([relabelled.version, relabelled.subject, relabelled.text]).toEqual([2, 'measurement', 'Check units before comparing']);
  });

  it('stores an exact duplicate only once, comparing normalised text within a stream', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const first = await tenant.insert(newLesson('Read the axis labels first.', 'logic', 4));
    const again = await tenant.insert(newLesson('  READ the axis\tlabels   first. ', 'logic', 5));
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.lesson.id).toBe(first.lesson.id);
    const otherStream = await tenant.insert(newLesson('Read the axis labels first.', 'visual', 4));
    expect(otherStream.created, 'the same text in the other stream is another lesson').toBe(true);
    expect((await tenant.stats()).lessons).toBe(2);
    expect((await tenant.findExact('logic', normaliseLessonText('read the AXIS labels first.')))?.id).toBe(first.lesson.id);
    expect(await tenant.findExact('logic', 'read the axis labels')).toBeUndefined();
  });

  it('refuses an edit that would make a lesson an exact duplicate of another', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    await tenant.insert(newLesson('Lesson one', 'logic', 1));
    const { lesson: second } = await tenant.insert(newLesson('Lesson two', 'logic', 2));
    expect(await errorCode(tenant.edit(second.id, { text: 'lesson ONE', textVector: axisVector(1) }))).toBe('conflict');
    expect((await tenant.get(second.id))?.text).toBe('Lesson two');
  });

  it('counts usage per retrieved lesson and ignores ids it does not own', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const { lesson: a } = await tenant.insert(newLesson('First', 'logic', 1));
    const { lesson: b } = await tenant.insert(newLesson('Second', 'logic', 2));
    expect(await tenant.recordUsage([a.id, b.id, a.id, 'missing'])).toBe(3);
    expect((await tenant.get(a.id))?.usageCount).toBe(2);
    expect((await tenant.get(b.id))?.usageCount).toBe(1);
  });
});
