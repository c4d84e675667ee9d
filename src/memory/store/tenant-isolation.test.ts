import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import type { MemoryExportRecord, MemoryStore, TenantMemory } from '../../core/index.js';
import { STORE_KINDS, axisVector, newLesson, useTestStores } from './store-test-support.js';

const ADVERSARIAL_IDS = ["a' OR 1=1 --", '', '../b', '%', '*', "les_0001' --", 'les_0001 ', 'LES_0001', '租户🙂', '\u0000'];

async function collect(tenant: TenantMemory): Promise<MemoryExportRecord[]> {
  const records: MemoryExportRecord[] = [];
  for await (const record of tenant.export()) records.push(record);
  return records;
}

async function expectNotFound(action: Promise<unknown>, what: string): Promise<void> {
  const error = await action.then(() => undefined, (caught: unknown) => caught);
  expect(isMmevolveError(error) ? error.code : error, `${what} should fail with not-found`).toBe('not-found');
}

describe.each(STORE_KINDS)('tenant isolation of the lesson store (%s)', (kind) => {
  const stores = useTestStores(kind);
  let store: MemoryStore;

  it('treats another tenant\'s lesson id exactly like an unknown id in every per-lesson method', async () => {
    store = await stores.open();
    const alice = store.forTenant('alice');
    const bob = store.forTenant('bob');
    const { lesson: secret } = await alice.insert(newLesson('Alice reads the y-axis from the right side', 'visual', 1));
    const before = await collect(alice);

    for (const id of [secret.id, ...ADVERSARIAL_IDS]) {
      expect(await bob.get(id), `bob.get(${JSON.stringify(id)})`).toBeUndefined();
      await expectNotFound(bob.edit(id, { subject: 'stolen' }), `bob.edit(${JSON.stringify(id)})`);
      await expectNotFound(bob.restore(id, 1), `bob.restore(${JSON.stringify(id)})`);
      await expectNotFound(bob.versions(id), `bob.versions(${JSON.stringify(id)})`);
      expect(await bob.delete(id), `bob.delete(${JSON.stringify(id)})`).toBe(false);
      expect(await bob.recordUsage([id]), `bob.recordUsage(${JSON.stringify(id)})`).toBe(0);
    }
    expect(await collect(alice), 'alice\'s lessons must be untouched by bob\'s attempts').toEqual(before);
  });

  it('finds nothing for adversarial lesson ids within the owning tenant either', async () => {
    store = await stores.open();
    const alice = store.forTenant('alice');
    await alice.insert(newLesson('A lesson that must not leak', 'logic', 2));
    for (const id of ADVERSARIAL_IDS) {
      expect(await alice.get(id), `alice.get(${JSON.stringify(id)})`).toBeUndefined();
      expect(await alice.delete(id), `alice.delete(${JSON.stringify(id)})`).toBe(false);
    }
    expect((await alice.stats()).lessons).toBe(1);
  });

  it('keeps searches, listing and exact-match lookups inside the tenant even for identical vectors and texts', async () => {
    store = await stores.open();
    const alice = store.forTenant('alice');
    const mallory = store.forTenant("a' OR 1=1 --");
    const text = 'Measure the angle at the marked vertex, not the adjacent one';
    const { lesson: aliceLesson } = await alice.insert(newLesson(text, 'visual', 3));
    const { lesson: malloryLesson, created } = await mallory.insert(newLesson(text, 'visual', 3));
    expect(created, 'the same text in another tenant is a different lesson').toBe(true);
    expect(malloryLesson.id).not.toBe(aliceLesson.id);

    const textHits = await mallory.searchByTextVector('visual', axisVector(3), 10);
    expect(textHits.map((hit) => hit.lesson.tenant)).toEqual(["a' OR 1=1 --"]);
    const imageHits = await mallory.searchByImageVector(axisVector(3), 10);
    expect(imageHits.map((hit) => hit.lesson.id)).toEqual([malloryLesson.id]);
    expect((await mallory.list()).lessons.map((lesson) => lesson.id)).toEqual([malloryLesson.id]);
    expect((await mallory.findExact('visual', text.toLowerCase()))?.id).toBe(malloryLesson.id);
    expect(await store.forTenant('nobody').searchByTextVector('visual', axisVector(3), 10)).toEqual([]);
    expect(await store.forTenant('nobody').searchByImageVector(axisVector(3), 10)).toEqual([]);
    expect(await store.tenants()).toEqual(["a' OR 1=1 --", 'alice'].sort());
  });

  it('keeps tenants whose ids differ only by case, unicode form or path syntax apart', async () => {
    store = await stores.open();
    const names = ['team', 'Team', '../team', 'team/..', 'tëam', 'te\u0301am'];
    for (const [index, name] of names.entries()) {
      await store.forTenant(name).insert(newLesson(`lesson of tenant number ${index}`, 'logic', index));
    }
    for (const [index, name] of names.entries()) {
      const { lessons } = await store.forTenant(name).list();
      expect(lessons.map((lesson) => lesson.text), `tenant ${JSON.stringify(name)}`).toEqual([`lesson of tenant number ${index}`]);
    }
  });

  it('refuses unusable tenant ids instead of mapping them onto some tenant', async () => {
    store = await stores.open();
    for (const tenant of ['', 'a\u0000b', 'line\nbreak', 'x'.repeat(201)]) {
      let code: string | undefined;
      try {
        store.forTenant(tenant);
      } catch (error) {
        code = isMmevolveError(error) ? error.code : 'not an MmevolveError';
      }
      expect(code, `forTenant(${JSON.stringify(tenant.slice(0, 20))})`).toBe('invalid-input');
    }
  });

  it('imports another tenant\'s export as copies owned by the importing tenant', async () => {
    store = await stores.open();
    const alice = store.forTenant('alice');
    const bob = store.forTenant('bob');
    const { lesson } = await alice.insert(newLesson('Count the tick marks before reading a value', 'logic', 4));
    const report = await bob.import(alice.export());
    expect(report.imported).toBe(1);
    await bob.edit(lesson.id, { subject: 'bob-only' });
    expect((await alice.get(lesson.id))?.subject, 'editing bob\'s copy must not change alice\'s lesson').toBe('algebra');
    expect((await bob.get(lesson.id))?.tenant).toBe('bob');
    expect(await bob.delete(lesson.id)).toBe(true);
    expect(await alice.get(lesson.id)).toBeDefined();
  });
});
