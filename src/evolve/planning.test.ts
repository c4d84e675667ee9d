import { describe, expect, it } from 'vitest';
import type { RecordingMllmClient } from '../backends/__tests__/recording-mocks.js';
import { resolveEvolveConfig } from './config.js';
import { mutate } from './mutation.js';
import { metaPlan } from './planning.js';
import { RunContext } from './run-context.js';
import type { Member } from './strategies.js';
import { phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage, userText } from './__tests__/support.js';
import { encodeRle } from '../vision/index.js';

function context(mllm: RecordingMllmClient, overrides: Record<string, unknown> = {}): RunContext {
  return new RunContext(testImage(), 'what keeps the rain off', resolveEvolveConfig('published', overrides), { mllm, segmenter: phraseSegmenter({}) }, true, undefined, undefined);
}

function member(phrase: string, score: number): Member {
  const mask = rectangle(0, 0, 10, 10);
  return {
    individual: { phrase, origin: 'plan', born: 1, score },
    evaluation: { phrase, mask, rle: encodeRle(mask), area: 100, confidence: 0.9, instances: 1, confirmed: true, gate: { passed: true, reason: 'confident', cached: false } },
  };
}

describe('meta-planning', () => {
  it('refines the first phrase until keep and seeds the population with the history, most refined first', async () => {
    const mllm = scriptedMllm({
      plan_phrases: () => ({ phrases: ['umbrella', 'red umbrella'] }),
      refine_phrase: (_request, index) => (index === 0 ? { verdict: 'refine', phrase: 'the open umbrella' } : { verdict: 'keep', phrase: 'the open umbrella' }),
      rephrase_variants: () => ({ phrases: ['open umbrella', 'The Open Umbrella', 'rain umbrella'] }),
    });
    const plan = await metaPlan(context(mllm));
    expect(plan.population.map((member) => member.phrase)).toEqual(['the open umbrella', 'umbrella', 'red umbrella', 'open umbrella']);
    expect(plan.population.map((member) => member.origin)).toEqual(['refine', 'plan', 'plan', 'variant']);
    expect(plan.record.lastPlannedPhrase).toBe('the open umbrella');
    expect(tasksCalled(mllm)).toEqual(['plan_phrases', 'refine_phrase', 'refine_phrase', 'rephrase_variants']);
    const refineText = userText(mllm.calls[1] ?? { messages: [] });
    expect(refineText).toContain('Phrase: umbrella');
    expect(refineText).toContain("Query: ['what keeps the rain off']");
  });

  it('stops refining after three refinements', async () => {
    const mllm = scriptedMllm({
      plan_phrases: () => ({ phrases: ['a'] }),
      refine_phrase: (_request, index) => ({ verdict: 'refine', phrase: `a${index}` }),
      rephrase_variants: () => ({ phrases: [] }),
    });
    const plan = await metaPlan(context(mllm));
    expect(plan.record.refinements.length).toBe(3);
    expect(plan.population.map((member) => member.phrase)).toEqual(['a2', 'a1', 'a0', 'a']);
    expect(tasksCalled(mllm).filter((task) => task === 'rephrase_variants'), 'population already full').toEqual([]);
  });

  it('returns an empty population when the planner sees no target', async () => {
    const mllm = scriptedMllm({ plan_phrases: () => ({ phrases: [] }) });
    const plan = await metaPlan(context(mllm));
    expect(plan.population).toEqual([]);
    expect(plan.record.lastPlannedPhrase).toBeUndefined();
  });

  it('sends the query text itself when the queryTextOnly fix is on', async () => {
    const mllm = scriptedMllm({ plan_phrases: () => ({ phrases: [] }) });
    await metaPlan(context(mllm, { fixes: { queryTextOnly: true } }));
    expect(userText(mllm.calls[0] ?? { messages: [] })).toContain('Query: what keeps the rain off\n');
  });
});

describe('semantic mutation', () => {
  it('keeps best and second best with their scores, adds a refinement and variants, deduplicated and capped', async () => {
    const mllm = scriptedMllm({
      refine_phrase: () => ({ verdict: 'refine', phrase: 'the big umbrella' }),
      rephrase_variants: () => ({ phrases: ['umbrella', 'BIG umbrella', 'parasol', 'brolly'] }),
    });
    const outcome = await mutate(context(mllm), [member('umbrella', 2), member('red umbrella', -1), member('third', -2)], 'fallback', 1, false);
    expect(outcome.population.map((individual) => individual.phrase)).toEqual(['umbrella', 'red umbrella', 'the big umbrella', 'BIG umbrella']);
    expect(outcome.population.map((individual) => individual.score)).toEqual([2, -1, 0, 0]);
    expect(outcome.record).toMatchObject({ parents: ['umbrella', 'red umbrella'], refined: 'the big umbrella', fromFallback: false, wasted: false });
    expect(userText(mllm.calls[0] ?? { messages: [] })).toContain('Phrase: umbrella');
  });

  it('mutates from the last planned phrase when nothing passed the gate', async () => {
    const mllm = scriptedMllm({
      refine_phrase: () => ({ verdict: 'keep', phrase: 'fallback' }),
      rephrase_variants: () => ({ phrases: ['variant one'] }),
    });
    const outcome = await mutate(context(mllm), [], 'fallback', 1, false);
    expect(outcome.population.map((individual) => [individual.phrase, individual.origin])).toEqual([
      ['fallback', 'fallback'],
      ['variant one', 'mutation-variant'],
    ]);
    expect(outcome.record.fromFallback).toBe(true);
  });
});
