import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../backends/index.js';
import type { RgbImage } from '../core/index.js';
import { defaultMemoryMethodConfig, openMemoryStore, parseMemoryMethodConfig } from '../memory/index.js';
import { LESSON_HEADER, lessonSystemMessage, retrieveForChat } from './lesson-injection.js';

const embedder = createOfflineEmbedder();

function solid(red: number, green: number, blue: number): RgbImage {
  const data = new Uint8Array(64 * 64 * 3);
  for (let index = 0; index < data.length; index += 3) data.set([red, green, blue], index);
  return { width: 64, height: 64, data };
}

async function vectorOf(text: string): Promise<Float32Array> {
  const [vector] = await embedder.embedTexts([text]);
  if (vector === undefined) throw new Error('no vector');
  return vector;
}

describe('lesson injection for the chat proxy', () => {
  it('finds visual lessons by the image, re-ranked by the text, and logic lessons by the text, then counts their use', async () => {
    const store = openMemoryStore({ path: ':memory:', dimensions: 256, embeddingModel: embedder.model });
    const memory = store.forTenant('alice');
    const source = { problemId: 'p', question: 'q', imageRefs: ['red.png'] };
    const red = solid(220, 30, 30);
    const [redVector] = await embedder.embedImages([red]);
    if (redVector === undefined) throw new Error('no image vector');
    const visualText = 'Count the red squares hidden behind the circle too.';
    const logicText = 'Count the red squares before adding the blue ones.';
    const visual = await memory.insert({ stream: 'visual', text: visualText, subject: '', concepts: [], source, textVector: await vectorOf(visualText), imageVectors: [{ imageRef: 'red.png', vector: redVector }] });
    const logic = await memory.insert({ stream: 'logic', text: logicText, subject: '', concepts: [], source, textVector: await vectorOf(logicText) });
    await memory.insert({ stream: 'logic', text: 'Angles of a triangle sum to 180 degrees.', subject: '', concepts: [], source, textVector: await vectorOf('Angles of a triangle sum to 180 degrees.') });

    const settings = parseMemoryMethodConfig({ retrieval: { logic: { minScore: 0.3 }, visual: { minScore: 0.3 } } });
    const found = await retrieveForChat(memory, embedder, 'How many red squares are there, counting the hidden ones?', [red], settings);
    expect(found.map((hit) => [hit.stream, hit.lesson.id]).sort()).toEqual([
      ['logic', logic.lesson.id],
      ['visual', visual.lesson.id],
    ]);
    expect((await memory.get(visual.lesson.id))?.usageCount, 'retrieval counts a use').toBe(1);

    const message = lessonSystemMessage(found);
    expect(message.split('\n')[0]).toBe(LESSON_HEADER);
    expect(message).toContain(`- [visual] ${visualText}`);
    expect(await retrieveForChat(memory, embedder, '   ', [red], settings), 'an empty question retrieves nothing').toEqual([]);
    await store.close();
  });

  it("applies the memory method's minImageScore, which the proxy's own copy of retrieval used to ignore", async () => {
    const store = openMemoryStore({ path: ':memory:', dimensions: 256, embeddingModel: embedder.model });
    const memory = store.forTenant('bob');
    const red = solid(220, 30, 30);
    const blue = solid(30, 30, 220);
    const [redVector] = await embedder.embedImages([red]);
    if (redVector === undefined) throw new Error('no image vector');
    const text = 'Count the red squares hidden behind the circle too.';
    await memory.insert({ stream: 'visual', text, subject: '', concepts: [], source: { problemId: 'p', question: 'q', imageRefs: ['red.png'] }, textVector: await vectorOf(text), imageVectors: [{ imageRef: 'red.png', vector: redVector }] });
    const question = 'How many red squares are there, counting the hidden ones?';
    const loose = parseMemoryMethodConfig({ retrieval: { visual: { minScore: 0.3 } } });
    expect((await retrieveForChat(memory, embedder, question, [blue], loose)).map((hit) => hit.stream), 'no image floor: the text re-rank decides').toEqual(['visual']);
    const strict = parseMemoryMethodConfig({ retrieval: { visual: { minScore: 0.3, minImageScore: 0.99 } } });
    expect(await retrieveForChat(memory, embedder, question, [blue], strict), 'a blue image is below an image floor of 0.99').toEqual([]);
    expect(defaultMemoryMethodConfig().retrieval.visual.minImageScore).toBe(-1);
    await store.close();
  });
});
