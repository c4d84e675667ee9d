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
  const planner = (): RecordingMllmClient =>
    scriptedMllm({
      plan_phrases: () => ({ phrases: ['umbrella', 'red umbrella'] }),
      refine_phrase: (_request, index) => (index === 0 ? { verdict: 'refine', phrase: 'the open umbrella' } : { verdict: 'keep', phrase: 'the open umbrella' }),
      rephrase_variants: () => ({ phrases: ['open umbrella', 'The Open Umbrella', 'rain umbrella'] }),
    });

  it('published: keeps only the first planned phrase, refined, and tops the population up with "3 distinct noun phrases" variants', async () => {
    const mllm = planner();
    const run = context(mllm);
    const plan = await metaPlan(run);
    expect(plan.population.map((member) => member.phrase), 'red umbrella (second planned) is dropped').toEqual(['the open umbrella', 'umbrella', 'open umbrella', 'rain umbrella']);
    expect(plan.population.map((member) => member.origin)).toEqual(['refine', 'plan', 'variant', 'variant']);
    expect(plan.record.lastPlannedPhrase).toBe('the open umbrella');
    expect(run.targetPhrase, 'the refined phrase becomes the gate target').toBe('the open umbrella');
    expect(tasksCalled(mllm)).toEqual(['plan_phrases', 'refine_phrase', 'refine_phrase', 'rephrase_variants']);
    const refineText = userText(mllm.calls[1] ?? { messages: [] });
    expect(refineText).toContain('Phrase: umbrella');
    expect(refineText).toContain("Query: ['what keeps the rain off']");
    const variantsText = userText(mllm.calls[3] ?? { messages: [] });
    expect(variantsText).toContain('Phrase: the open umbrella');
    expect(variantsText, 'asks for 3 variants, whatever is missing').toContain('Write 3 distinct variants');
  });

  it('improved: keeps the other planned phrases after the refinement history (fix keepOtherPlannedPhrases)', async () => {
    const plan = await metaPlan(context(planner(), { fixes: { keepOtherPlannedPhrases: true } }));
    expect(plan.population.map((member) => member.phrase)).toEqual(['the open umbrella', 'umbrella', 'red umbrella', 'open umbrella']);
    expect(plan.population.map((member) => member.origin)).toEqual(['refine', 'plan', 'plan', 'variant']);
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

  it('published: evolves "object" (refined as any planned phrase) when the planner names nothing', async () => {
    const mllm = scriptedMllm({
      plan_phrases: () => ({ phrases: [] }),
      refine_phrase: () => ({ verdict: 'keep', phrase: 'object' }),
      rephrase_variants: () => ({ phrases: ['thing', 'item'] }),
    });
    const plan = await metaPlan(context(mllm));
    expect(plan.population.map((member) => member.phrase)).toEqual(['object', 'thing', 'item']);
    expect(plan.record).toMatchObject({ lastPlannedPhrase: 'object', nothingPlanned: true });
    expect(userText(mllm.calls[1] ?? { messages: [] })).toContain('Phrase: object');
  });

  it('improved: returns an empty population when the planner sees no target (fix noPlanNoEvolution)', async () => {
    const mllm = scriptedMllm({ plan_phrases: () => ({ phrases: [] }) });
    const plan = await metaPlan(context(mllm, { fixes: { noPlanNoEvolution: true } }));
    expect(plan.population).toEqual([]);
    expect(plan.record.lastPlannedPhrase).toBeUndefined();
  });

  it('sends the query text itself when the queryTextOnly fix is on', async () => {
    const mllm = scriptedMllm({ plan_phrases: () => ({ phrases: [] }) });
    await metaPlan(context(mllm, { fixes: { queryTextOnly: true, noPlanNoEvolution: true } }));
    expect(userText(mllm.calls[0] ?? { messages: [] })).toContain('Query: what keeps the rain off\n');
  });
});

describe('semantic mutation', () => {
  it('published: keeps best and second best with their scores, always adds a rewritten phrase, then variants, deduplicated and capped', async () => {
    const mllm = scriptedMllm({
      rewrite_phrase: () => ({ phrase: 'the big umbrella' }),
      rephrase_variants: () => ({ phrases: ['umbrella', 'BIG umbrella', 'parasol', 'brolly'] }),
    });
    const run = context(mllm);
    run.targetPhrase = 'the open umbrella';
    const outcome = await mutate(run, [member('umbrella', 2), member('red umbrella', -1), member('third', -2)], 'fallback', 1, false);
    expect(outcome.population.map((individual) => individual.phrase)).toEqual(['umbrella', 'red umbrella', 'the big umbrella', 'BIG umbrella']);
    expect(outcome.population.map((individual) => individual.score)).toEqual([2, -1, 0, 0]);
    expect(outcome.record).toMatchObject({ parents: ['umbrella', 'red umbrella'], refined: 'the big umbrella', fromFallback: false, wasted: false });
    expect(tasksCalled(mllm)).toEqual(['rewrite_phrase', 'rephrase_variants']);
    const rewriteText = userText(mllm.calls[0] ?? { messages: [] });
    expect(rewriteText).toContain('Target: the open umbrella\nPhrase: umbrella');
    expect(mllm.calls[0]?.schema?.schema.safeParse({ verdict: 'keep' }).success, 'the answer must be a phrase; a keep verdict alone is refused').toBe(false);
  });

  it('improved: mutation may keep the best phrase, adding no refinement (fix mutationMayKeep)', async () => {
    const mllm = scriptedMllm({
      refine_phrase: () => ({ verdict: 'keep', phrase: 'umbrella' }),
      rephrase_variants: () => ({ phrases: ['parasol'] }),
    });
    const outcome = await mutate(context(mllm, { fixes: { mutationMayKeep: true } }), [member('umbrella', 2)], 'fallback', 1, false);
    expect(tasksCalled(mllm)).toEqual(['refine_phrase', 'rephrase_variants']);
    expect(outcome.record.refined).toBeUndefined();
    expect(outcome.population.map((individual) => individual.phrase)).toEqual(['umbrella', 'parasol']);
  });

  it('mutates from the last planned phrase when nothing passed the gate', async () => {
    const mllm = scriptedMllm({
      rewrite_phrase: () => ({ phrase: 'fallback' }),
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
