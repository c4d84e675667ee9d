import { describe, expect, it } from 'vitest';
import type { MemoryExportRecord, TenantMemory } from '../../core/index.js';
import { STORE_KINDS, axisVector, newLesson, useTestStores } from './store-test-support.js';
import type { TestStores } from './store-test-support.js';

/** A store whose id generator throws once armed: a failure inside the insert, after earlier writes ran. */
async function storeFailingOnNextId(stores: TestStores): Promise<{ tenant: TenantMemory; arm: () => void }> {
  let armed = false;
  let counter = 0;
  const store = await stores.open({
    newId: () => {
      if (armed) throw new Error('injected: id generator failed');
      return `les_${String(++counter).padStart(4, '0')}`;
    },
  });
  return { tenant: store.forTenant('alice'), arm: () => (armed = true) };
}

async function exported(tenant: TenantMemory): Promise<string> {
  const records: MemoryExportRecord[] = [];
  for await (const record of tenant.export()) records.push(record);
  return JSON.stringify(records);
}

describe.each(STORE_KINDS)('all-or-nothing lesson writes (%s)', (kind) => {
  const stores = useTestStores(kind);

  it('applies a batch of an edit and an insert together and reports each result in order', async () => {
    const { tenant } = await storeFailingOnNextId(stores);
    const existing = (await tenant.insert(newLesson('Old lesson text.', 'logic', 0))).lesson;
    const results = await tenant.applyWrites([
      { kind: 'edit', id: existing.id, edit: { text: 'Merged text.', textVector: axisVector(1) } },
      { kind: 'insert', lesson: newLesson('A new visual rule.', 'visual', 2) },
    ]);
    expect(results.map((result) => result.kind)).toEqual(['edit', 'insert']);
    expect(results[0]?.kind === 'edit' ? results[0].lesson : undefined).toMatchObject({ id: existing.id, version: 2, text: 'Merged text.' });
    expect(results[1]?.kind === 'insert' ? results[1].inserted.created : undefined, 'the insert created a lesson').toBe(true);
    expect((await tenant.stats()).lessons).toBe(2);
  });

  it('keeps none of a batch whose insert fails after an insert and an edit ran: no lesson added, no version added or restored', async () => {
    const { tenant, arm } = await storeFailingOnNextId(stores);
    const existing = (await tenant.insert(newLesson('Old lesson text.', 'logic', 0))).lesson;
    const before = await exported(tenant);
    arm();
    await expect(
      tenant.applyWrites([
        { kind: 'insert', lesson: newLesson('old lesson text.', 'logic', 0) },
        { kind: 'edit', id: existing.id, edit: { text: 'Merged mid-request.', textVector: axisVector(3) } },
        { kind: 'edit', id: existing.id, edit: { subject: 'twice' } },
        { kind: 'insert', lesson: newLesson('Written mid-request.', 'visual', 2) },
      ]),
    ).rejects.toThrow('injected: id generator failed');
    expect(await exported(tenant), 'the export is byte-for-byte what it was before the batch').toBe(before);
    expect((await tenant.versions(existing.id)).map((version) => version.provenance.kind), 'no restored version').toEqual(['written']);
    expect((await tenant.get(existing.id))?.text).toBe('Old lesson text.');
    const stats = await tenant.stats();
    expect(stats, 'vector tables rolled back with the rows').toMatchObject({ lessons: 1, versions: 1, textVectors: 1, imageVectors: 0 });
    expect(await tenant.searchByTextVector('logic', axisVector(3), 5, 0.99), 'the merged text vector is not searchable').toEqual([]);
  });

  it('keeps none of a batch whose edit fails after an insert ran', async () => {
    const { tenant } = await storeFailingOnNextId(stores);
    const before = await exported(tenant);
    await expect(
      tenant.applyWrites([
        { kind: 'insert', lesson: newLesson('Written first.', 'logic', 0) },
        { kind: 'edit', id: 'les_missing', edit: { subject: 'never' } },
      ]),
    ).rejects.toMatchObject({ code: 'not-found' });
    expect(await exported(tenant)).toBe(before);
    expect((await tenant.stats()).textVectors).toBe(0);
  });
});
