import { describe, expect, it } from 'vitest';
import { defaultMemoryMethodConfig, parseMemoryMethodConfig } from './config.js';
import { QUERY_VECTOR, lessonRow, useTestTenantMemory, vectorWithCosine } from './method-test-support.js';
import { retrieveLessons } from './retrieval.js';

const tenant = useTestTenantMemory();

const both = new Set(['logic', 'visual'] as const);

describe('lesson retrieval', () => {
  it('returns the top 3 logic lessons at or above cosine 0.7, best first', async () => {
    for (const cosine of [0.6, 0.95, 0.72, 0.85, 0.9, 0.69]) await tenant.memory.insert(lessonRow('logic', `lesson at ${cosine}`, vectorWithCosine(cosine)));
    const result = await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR }, defaultMemoryMethodConfig(), both);
    expect(result.logic.map((item) => item.lesson.text)).toEqual(['lesson at 0.95', 'lesson at 0.9', 'lesson at 0.85']);
    expect(result.logic.every((item) => item.score >= 0.7)).toBe(true);
    expect(result.visual).toEqual([]);
  });

  it('leaves out every logic lesson below the threshold', async () => {
    await tenant.memory.insert(lessonRow('logic', 'almost relevant', vectorWithCosine(0.69)));
    const result = await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR }, defaultMemoryMethodConfig(), both);
    expect(result.logic).toEqual([]);
  });

  it('finds visual lessons by image, then keeps those whose text matches the query, re-ranked by text', async () => {
    // Same image for all three; texts at 0.8, 0.95 and 0.5 from the query.
    await tenant.memory.insert(lessonRow('visual', 'visual text 0.8', vectorWithCosine(0.8), vectorWithCosine(0.99)));
    await tenant.memory.insert(lessonRow('visual', 'visual text 0.95', vectorWithCosine(0.95), vectorWithCosine(0.7)));
    await tenant.memory.insert(lessonRow('visual', 'visual text 0.5', vectorWithCosine(0.5), vectorWithCosine(1)));
    const result = await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR, imageVector: QUERY_VECTOR }, defaultMemoryMethodConfig(), both);
    expect(result.visual.map((item) => item.lesson.text)).toEqual(['visual text 0.95', 'visual text 0.8']);
    expect(result.visual[0]?.imageScore).toBeCloseTo(0.7, 5);
    expect(result.visual[0]?.score).toBeCloseTo(0.95, 5);
  });

  it('considers only the configured number of image candidates before the re-rank', async () => {
    await tenant.memory.insert(lessonRow('visual', 'closest image, weak text', vectorWithCosine(0.75), vectorWithCosine(1)));
    await tenant.memory.insert(lessonRow('visual', 'farther image, strong text', vectorWithCosine(0.99), vectorWithCosine(0.5)));
    const config = parseMemoryMethodConfig({ retrieval: { visual: { imageCandidates: 1 } } });
    const result = await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR, imageVector: QUERY_VECTOR }, config, both);
    expect(result.visual.map((item) => item.lesson.text)).toEqual(['closest image, weak text']);
  });

  it('adds one use to every retrieved lesson and none to the others', async () => {
    const used = await tenant.memory.insert(lessonRow('logic', 'used', vectorWithCosine(0.9)));
    const unused = await tenant.memory.insert(lessonRow('logic', 'unused', vectorWithCosine(0.1)));
    await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR }, defaultMemoryMethodConfig(), both);
    await retrieveLessons(tenant.memory, { text: 'q', textVector: QUERY_VECTOR }, defaultMemoryMethodConfig(), both);
    expect((await tenant.memory.get(used.lesson.id))?.usageCount).toBe(2);
    expect((await tenant.memory.get(unused.lesson.id))?.usageCount).toBe(0);
  });

  it('searches only the streams it is given', async () => {
    await tenant.memory.insert(lessonRow('logic', 'logic lesson', vectorWithCosine(0.9)));
    await tenant.memory.insert(lessonRow('visual', 'visual lesson', vectorWithCosine(0.9), vectorWithCosine(0.9)));
    const query = { text: 'q', textVector: QUERY_VECTOR, imageVector: QUERY_VECTOR };
    const visualOnly = await retrieveLessons(tenant.memory, query, defaultMemoryMethodConfig(), new Set(['visual'] as const));
    expect(visualOnly.logic).toEqual([]);
    expect(visualOnly.visual.map((item) => item.lesson.text)).toEqual(['visual lesson']);
  });
});
