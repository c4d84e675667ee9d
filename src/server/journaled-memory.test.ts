import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../backends/index.js';
import { openMemoryStore } from '../memory/index.js';
import { journaledMemory } from './journaled-memory.js';

const embedder = createOfflineEmbedder();

async function vector(text: string): Promise<Float32Array> {
  const [result] = await embedder.embedTexts([text]);
  if (result === undefined) throw new Error('no vector');
  return result;
}

describe('journaled tenant memory', () => {
  it('deletes the lessons a failed request created and restores the ones it edited', async () => {
    const store = openMemoryStore({ path: ':memory:', dimensions: 256, embeddingModel: embedder.model });
    const tenant = store.forTenant('alice');
    const source = { problemId: 'p', question: 'q', imageRefs: [] };
    const existing = (await tenant.insert({ stream: 'logic', text: 'Old lesson text.', subject: '', concepts: [], source, textVector: await vector('Old lesson text.') })).lesson;

    const journal = journaledMemory(tenant);
    const again = await journal.memory.insert({ stream: 'logic', text: 'old lesson text.', subject: '', concepts: [], source, textVector: await vector('old lesson text.') });
    expect(again.created, 'a duplicate insert creates nothing to undo').toBe(false);
    const added = await journal.memory.insert({ stream: 'visual', text: 'Written mid-request.', subject: '', concepts: [], source, textVector: await vector('Written mid-request.') });
    await journal.memory.edit(existing.id, { text: 'Merged mid-request.', textVector: await vector('Merged mid-request.') });
    await journal.memory.edit(existing.id, { subject: 'twice' });

    await journal.rollback();
    expect(await tenant.get(added.lesson.id)).toBeUndefined();
    const restored = await tenant.get(existing.id);
    expect(restored?.text).toBe('Old lesson text.');
    expect(restored?.subject).toBe('');
    expect((await tenant.stats()).lessons).toBe(1);
    await store.close();
  });
});
