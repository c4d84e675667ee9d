import { describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../core/index.js';
import { isMmevolveError } from '../../core/index.js';
import { STORE_KINDS, TEST_DIMENSIONS, axisVector, newLesson, useTestStores } from './store-test-support.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, index) => {
    const other = b[index] ?? 0;
    dot += value * other;
    normA += value * value;
    normB += other * other;
  });
  return dot / Math.sqrt(normA * normB);
}

describe.each(STORE_KINDS)('vector search and listing in the lesson store (%s)', (kind) => {
  const stores = useTestStores(kind);
  let store: MemoryStore;

  it('ranks lessons of one stream by cosine similarity and applies k and the score floor', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const nudges = [0, 0.5, 1, 2];
    for (const nudge of nudges) await tenant.insert(newLesson(`logic lesson nudged ${nudge}`, 'logic', 0, nudge));
    await tenant.insert(newLesson('visual lesson on the same axis', 'visual', 0));
    const query = axisVector(0);

    const hits = await tenant.searchByTextVector('logic', query, 10);
    expect(hits.map((hit) => hit.lesson.text)).toEqual(nudges.map((nudge) => `logic lesson nudged ${nudge}`));
    for (const [index, hit] of hits.entries()) {
      expect(hit.score, `score of hit ${index}`).toBeCloseTo(cosine(query, axisVector(0, nudges[index])), 5);
    }
    expect((await tenant.searchByTextVector('logic', query, 2)).length).toBe(2);
    const floor = cosine(query, axisVector(0, 1)) - 1e-4;
    expect((await tenant.searchByTextVector('logic', query, 10, floor)).map((hit) => hit.lesson.text)).toEqual([
      'logic lesson nudged 0',
      'logic lesson nudged 0.5',
      'logic lesson nudged 1',
    ]);
  });

  it('returns each visual lesson once from image search, scored by its best source image', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const { lesson: many } = await tenant.insert({
      ...newLesson('lesson with three images', 'visual', 1),
      imageVectors: [1, 2, 3].map((axis) => ({ imageRef: `img-${axis}.png`, vector: axisVector(axis) })),
    });
    const { lesson: one } = await tenant.insert({ ...newLesson('lesson with one image', 'visual', 4), imageVectors: [{ imageRef: 'img-x.png', vector: axisVector(2, 0.5) }] });
    const hits = await tenant.searchByImageVector(axisVector(2), 5);
    expect(hits.map((hit) => hit.lesson.id)).toEqual([many.id, one.id]);
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(hits[1]?.score).toBeCloseTo(cosine(axisVector(2), axisVector(2, 0.5)), 5);
    expect((await tenant.searchByImageVector(axisVector(2), 1)).map((hit) => hit.lesson.id)).toEqual([many.id]);
  });

  it('hands back the current text vectors of owned lessons for re-ranking, and nothing for others', async () => {
    store = await stores.open();
    const alice = store.forTenant('alice');
    const { lesson } = await alice.insert(newLesson('visual lesson to re-rank', 'visual', 3, 0.5));
    await alice.edit(lesson.id, { text: 'visual lesson, edited', textVector: axisVector(4, 0.25) });
    const vectors = await alice.textVectors([lesson.id, 'missing', "' OR 1=1 --"]);
    expect([...vectors.keys()]).toEqual([lesson.id]);
    expect(Array.from(vectors.get(lesson.id) ?? [])).toEqual(Array.from(axisVector(4, 0.25)));
    expect((await store.forTenant('bob').textVectors([lesson.id])).size, 'another tenant gets nothing').toBe(0);
  });

  it('finds nothing for a zero query and refuses vectors of another size', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    await tenant.insert(newLesson('any lesson', 'logic', 1));
    expect(await tenant.searchByTextVector('logic', new Float32Array(TEST_DIMENSIONS), 3)).toEqual([]);
    for (const action of [
      tenant.searchByTextVector('logic', new Float32Array(TEST_DIMENSIONS + 1).fill(1), 3),
      tenant.insert({ ...newLesson('wrong size', 'logic', 1), textVector: new Float32Array(3).fill(1) }),
    ]) {
      const error = await action.then(() => undefined, (caught: unknown) => caught);
      expect(isMmevolveError(error) ? error.code : error).toBe('embedding-mismatch');
    }
    const zero = await tenant.insert({ ...newLesson('zero vector', 'logic', 1), textVector: new Float32Array(TEST_DIMENSIONS) }).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(zero) ? zero.code : zero, 'an all-zero embedding cannot be ranked by cosine').toBe('invalid-input');
  });

  it('treats a k that is not a positive number as asking for nothing', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    await tenant.insert(newLesson('lesson', 'visual', 1));
    for (const k of [0, -3, Number.NaN]) {
      expect(await tenant.searchByTextVector('visual', axisVector(1), k), `text k=${k}`).toEqual([]);
      expect(await tenant.searchByImageVector(axisVector(1), k), `image k=${k}`).toEqual([]);
    }
    expect((await tenant.searchByTextVector('visual', axisVector(1), 2.7)).length).toBe(1);
  });

  it('refuses source-image vectors on logic lessons, which image search must never return', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    const withImages = { ...newLesson('a logic lesson', 'logic', 1), imageVectors: [{ imageRef: 'x.png', vector: axisVector(1) }] };
    const error = await tenant.insert(withImages).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? error.code : error).toBe('invalid-input');
    const { lesson } = await tenant.insert(newLesson('a logic lesson', 'logic', 1));
    const editError = await tenant.edit(lesson.id, { addImageVectors: [{ imageRef: 'x.png', vector: axisVector(1) }] }).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(editError) ? editError.code : editError).toBe('invalid-input');
    expect(await tenant.searchByImageVector(axisVector(1), 5)).toEqual([]);
  });

  it('lists lessons in creation order with stream and subject filters and paging', async () => {
    store = await stores.open();
    const tenant = store.forTenant('alice');
    for (let index = 0; index < 7; index += 1) await tenant.insert(newLesson(`lesson ${index}`, index % 3 === 0 ? 'visual' : 'logic', index));
    const all = await tenant.list();
    expect(all.total).toBe(7);
    expect(all.lessons.map((lesson) => lesson.text)).toEqual([0, 1, 2, 3, 4, 5, 6].map((index) => `lesson ${index}`));
    const page = await tenant.list({ stream: 'logic', limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.lessons.map((lesson) => lesson.text)).toEqual(['lesson 2', 'lesson 4']);
    expect((await tenant.list({ subject: 'geometry' })).lessons.map((lesson) => lesson.text)).toEqual(['lesson 0', 'lesson 3', 'lesson 6']);
    expect((await tenant.list({ subject: 'none' })).total).toBe(0);
  });
});
