import { describe, expect, it } from 'vitest';
import { maskIou } from '../../vision/index.js';
import { resolveEvolveConfig } from '../config.js';
import { runSegmentation } from '../run-segmentation.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, testImage } from '../__tests__/support.js';

const QUERY = 'Which red object could a child roll across the floor? If there are several, choose the one nearest to the star.';

describe('concept-only baseline', () => {
  it('sends the raw query as the prompt and keeps the highest-scoring instance, with no MLLM call', async () => {
    const low = rectangle(2, 2, 10, 10);
    const high = rectangle(30, 20, 12, 12);
    const segmenter = phraseSegmenter({ [QUERY]: [instance(low, 0.6), instance(high, 0.8), instance(rectangle(50, 40, 3, 3), 0.95)] });
    const mllm = scriptedMllm({});
    const result = await runSegmentation('concept-only', testImage(), QUERY, { backends: { mllm, segmenter }, config: resolveEvolveConfig('published') });
    expect(segmenter.calls.map((call) => (call.kind === 'text' ? call.phrase : call.kind)), 'one text prompt: the query itself').toEqual([QUERY]);
    expect(mllm.calls.length, 'no MLLM call').toBe(0);
    expect(maskIou(result.mask, high), 'the 0.95 instance has 9 px (< minInstancePixels 50), so the 0.8 one wins').toBe(1);
    expect(result.method).toBe('concept-only');
    expect(result.trace.phrases[0], 'the trace records the query as the prompt').toMatchObject({ phrase: QUERY, origin: 'query', instances: 3, confidence: 0.8 });
  });

  it('runs without an MLLM backend, and returns an empty mask when the segmenter finds nothing', async () => {
    const segmenter = phraseSegmenter({});
    const result = await runSegmentation('concept-only', testImage(), 'the second one from the top', { backends: { segmenter } });
    expect(result.mask.data.every((value) => value === 0), 'nothing found, nothing returned').toBe(true);
    expect(result.trace.phrases[0]?.gate.reason).toBe('empty');
  });

  it('refuses an MLLM-driven method without an MLLM backend, with a hint', async () => {
    await expect(runSegmentation('single', testImage(), 'red circle', { backends: { segmenter: phraseSegmenter({}) } })).rejects.toMatchObject({
      code: 'backend-not-configured',
      hint: expect.stringContaining('concept-only') as unknown,
    });
  });
});
