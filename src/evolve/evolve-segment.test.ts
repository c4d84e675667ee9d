import { describe, expect, it } from 'vitest';
import { createRecordingSegmenter } from '../backends/__tests__/recording-mocks.js';
import { mmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';
import { decodeRle, maskArea, maskIou } from '../vision/index.js';
import { resolveEvolveConfig } from './config.js';
import type { SegmentationEvent } from './events.js';
import { evolveSegment } from './evolve-segment.js';
import { publishedStrategies } from './strategies.js';
import { runSegmentation } from './run-segmentation.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage } from './__tests__/support.js';
import type { TaskHandlers } from './__tests__/support.js';

/** These tests pin the published behaviour; the library's own default is DEFAULT_EVOLVE_PRESET. */
const PUBLISHED_CONFIG = resolveEvolveConfig('published');

const CUP = rectangle(4, 4, 16, 16);

function agreeingHandlers(): TaskHandlers {
  return {
    plan_phrases: () => ({ phrases: ['cup'] }),
    refine_phrase: () => ({ verdict: 'keep', phrase: 'cup' }),
    rephrase_variants: () => ({ phrases: ['mug', 'red cup', 'the cup'] }),
    predict_box: () => ({ boxes: [{ bbox_2d: [4, 4, 20, 20], label: 'cup' }] }),
    rewrite_phrase: () => ({ phrase: 'the cup' }),
    judge_pair: () => ({ winner: 'tie', reason: 'same region' }),
    // Published judge: forced to choose, it picks the first candidate (a position-biased judge).
    judge_pair_forced: () => ({ winner: 'A' }),
    verify_mask: () => ({ answer: 'yes' }),
  };
}

/** Four phrases with four different masks: the population never converges. */
function disagreeingSegmenter(): ReturnType<typeof phraseSegmenter> {
  const masks: Record<string, Mask> = { cup: CUP, mug: rectangle(30, 4, 10, 10), 'red cup': rectangle(4, 30, 12, 12), 'the cup': rectangle(40, 30, 9, 9) };
  return createRecordingSegmenter((call) => {
    if (call.kind === 'boxes') return [instance(CUP, 0.9)];
    const mask = masks[call.phrase] ?? rectangle(50, 0, 8, 8);
    return [instance(mask, 0.9)];
  });
}

describe('evolveSegment', () => {
  it('stops after one generation when every individual agrees, and records the run in the trace', async () => {
    const mllm = scriptedMllm(agreeingHandlers());
    const segmenter = phraseSegmenter({ cup: [instance(CUP, 0.9)], mug: [instance(CUP, 0.92)], 'red cup': [instance(CUP, 0.88)], 'the cup': [instance(CUP, 0.95)] }, () => [instance(CUP, 0.9)]);
    const events: SegmentationEvent['type'][] = [];
    const result = await evolveSegment(testImage(), 'the thing you drink from', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter }, isSentence: true, onEvent: (event) => events.push(event.type) });
    expect(maskIou(result.mask, CUP)).toBe(1);
    expect(maskIou(decodeRle(result.rle), CUP), 'rle matches the mask').toBe(1);
    expect(result.trace.generations.length).toBe(1);
    expect(result.trace.generations[0]?.stop).toMatchObject({ stop: true, reason: 'converged', validCount: 4 });
    expect(result.trace.generations[0]?.skipped.length, 'identical masks are not fought').toBe(3);
    // Equal fitness and all confirmed: the highest confidence (0.95) makes 'the cup' the best individual.
    expect(result.trace.arbitration).toMatchObject({ decision: 'text', reason: 'fallback-inconsistent', textPhrase: 'the cup' });
    expect(tasksCalled(mllm)).toEqual(['plan_phrases', 'refine_phrase', 'rephrase_variants', 'predict_box', 'judge_pair_forced', 'judge_pair_forced']);
    expect(result.trace.variant).toBe('evol-published');
    expect(result.counters).toMatchObject({ mllmCalls: 4, judgeCalls: 2, segmenterCalls: 5, generations: 1, fights: 0 });
    expect(result.trace.stages['plan']?.calls).toBe(1);
    expect(result.calls.length, 'one record per backend call').toBe(11);
    expect(events[0]).toBe('segmentation-start');
    expect(events).toContain('phrase-evaluated');
    expect(events.at(-1)).toBe('segmentation-end');
    expect(events.indexOf('generation-end')).toBeLessThan(events.indexOf('arbitration-end'));
  });

  it('reproduces after the last generation in the published preset and skips it with the fix', async () => {
    const published = scriptedMllm(agreeingHandlers());
    const resultPublished = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm: published, segmenter: disagreeingSegmenter() }, isSentence: false });
    expect(resultPublished.trace.generations.map((generation) => generation.stop.reason)).toEqual(['continue', 'max-generations']);
    expect(resultPublished.trace.generations[1]?.mutation?.wasted).toBe(true);
    expect(resultPublished.trace.stages['mutate-wasted']?.calls).toBe(2);

    const improved = scriptedMllm(agreeingHandlers());
    const config = resolveEvolveConfig('improved');
    const resultImproved = await evolveSegment(testImage(), 'cup', { backends: { mllm: improved, segmenter: disagreeingSegmenter() }, config, isSentence: false });
    expect(resultImproved.trace.generations[1]?.mutation).toBeUndefined();
    expect(resultImproved.trace.variant).toBe('evol-improved');
    expect(improved.calls.length, 'two MLLM calls saved').toBe(published.calls.length - 2);
    expect(maskIou(resultImproved.mask, resultPublished.mask)).toBe(1);
  });

  it('fights at most twice per generation and carries fitness into the next generation', async () => {
    const mllm = scriptedMllm(agreeingHandlers());
    const result = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter: disagreeingSegmenter() }, isSentence: false });
    const first = result.trace.generations[0];
    expect(first?.fights.length).toBe(2);
    expect(first?.fights.every((fight) => fight.shownA === fight.champion && fight.winner === 'champion'), 'published: the champion is candidate A').toBe(true);
    expect(first?.population.find((member) => member.phrase === 'cup')?.fitness, 'two wins: 10 + 2').toBe(12);
    const second = result.trace.generations[1];
    expect(second?.population[0]).toMatchObject({ phrase: 'cup', origin: 'carried' });
  });

  it("falls back to the last planned phrase's mask when nothing passes the gate", async () => {
    const mllm = scriptedMllm({ ...agreeingHandlers(), verify_mask: () => ({ answer: 'no' }), refine_phrase: () => ({ verdict: 'keep', phrase: '' }), rewrite_phrase: () => ({ phrase: 'cup' }) });
    const segmenter = createRecordingSegmenter((call) => (call.kind === 'boxes' ? [] : [instance(CUP, 0.5)]));
    const result = await evolveSegment(testImage(), 'cup', { backends: { mllm, segmenter }, config: resolveEvolveConfig('published', { final: { output: 'text_only' } }) });
    expect(result.trace.generations.every((generation) => generation.population.every((member) => !member.valid))).toBe(true);
    expect(result.trace.generations[0]?.mutation?.fromFallback).toBe(true);
    expect(result.trace.arbitration).toMatchObject({ textFallback: true, textPhrase: 'cup', decision: 'text' });
    expect(maskArea(result.mask)).toBe(256);
  });

  it('sends a generation\'s phrases in one segmenter request with the encodeOnce fix (encodes ≤ generations + 1), one request per prompt without it', async () => {
    const segmenter = disagreeingSegmenter();
    const published = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter } });
    expect(segmenter.requests.every((request) => request.length === 1), 'published: one prompt per request').toBe(true);
    expect(published.counters.segmenterImageEncodes).toBe(segmenter.requests.length);
    expect(published.counters.segmenterPrompts).toBe(segmenter.calls.length);
    const fixedSegmenter = disagreeingSegmenter();
    const fixed = await evolveSegment(testImage(), 'cup', { backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter: fixedSegmenter }, config: resolveEvolveConfig('published', { fixes: { encodeOnce: true } }) });
    expect(fixedSegmenter.prepared.length, 'the image is prepared (PNG-encoded) once').toBe(1);
    expect(fixed.counters.segmenterImageEncodes, 'one server encode per request').toBe(fixedSegmenter.requests.length);
    expect(fixed.counters.segmenterImageEncodes).toBeLessThanOrEqual(fixed.counters.generations + 1);
    expect(fixedSegmenter.requests.some((request) => request.length > 1), 'a generation went out as one batch').toBe(true);
    expect(fixed.trace.phrases.map((phrase) => phrase.rle)).toEqual(published.trace.phrases.slice(0, fixed.trace.phrases.length).map((phrase) => phrase.rle));
  });

  it('gives the same answer with concurrent stages as sequentially', async () => {
    const sequential = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter: disagreeingSegmenter() } });
    const mllm = scriptedMllm(agreeingHandlers());
    const concurrent = await evolveSegment(testImage(), 'cup', { backends: { mllm, segmenter: disagreeingSegmenter() }, config: resolveEvolveConfig('published', { fixes: { concurrentStages: true } }) });
    expect(concurrent.trace.phrases).toEqual(sequential.trace.phrases);
    expect(concurrent.trace.arbitration).toEqual(sequential.trace.arbitration);
    expect(tasksCalled(mllm)[0], 'the box stream starts beside the planning').toBe('predict_box');
  });

  it('carries the box prompt in the first generation\'s segmenter request when the box stream runs beside the evolution (one encode fewer, same answer)', async () => {
    const aloneSegmenter = disagreeingSegmenter();
    const alone = await evolveSegment(testImage(), 'cup', { backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter: aloneSegmenter }, config: resolveEvolveConfig('improved', { fixes: { concurrentStages: false } }) });
    const ridingSegmenter = disagreeingSegmenter();
    const riding = await evolveSegment(testImage(), 'cup', { backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter: ridingSegmenter }, config: resolveEvolveConfig('improved') });
    expect(aloneSegmenter.requests.at(-1)?.map((prompt) => prompt.kind), 'without concurrent stages the box goes alone, last').toEqual(['boxes']);
    const first = ridingSegmenter.requests[0] ?? [];
    expect(first.map((prompt) => prompt.kind), 'the box rides with the first generation\'s phrases').toEqual([...Array.from({ length: first.length - 1 }, () => 'text'), 'boxes']);
    expect(ridingSegmenter.requests.filter((request) => request.some((prompt) => prompt.kind === 'boxes')), 'the box is sent once').toHaveLength(1);
    expect(riding.counters.segmenterImageEncodes, 'one encode fewer per sample').toBe(alone.counters.segmenterImageEncodes - 1);
    expect(riding.counters.segmenterImageEncodes).toBeLessThanOrEqual(riding.counters.generations);
    expect(riding.counters.segmenterPrompts).toBe(alone.counters.segmenterPrompts);
    expect(riding.trace.arbitration).toEqual(alone.trace.arbitration);
    expect(riding.trace.phrases).toEqual(alone.trace.phrases);
  });

  it('sends the box alone when no generation ran to carry it (the ride is released, nothing waits)', async () => {
    const segmenter = disagreeingSegmenter();
    const result = await evolveSegment(testImage(), 'cup', {
      backends: { mllm: scriptedMllm({ ...agreeingHandlers(), plan_phrases: () => ({ phrases: [] }) }), segmenter },
      config: resolveEvolveConfig('improved', { final: { output: 'box_only' } }),
    });
    expect(segmenter.requests.map((request) => request.map((prompt) => prompt.kind))).toContainEqual(['boxes']);
    expect(result.trace.arbitration?.decision).toBe('box');
    expect(result.counters.generations, 'no generation ran').toBe(0);
  });

  it('runs with a swapped-in strategy (a stopping rule that always stops after the first generation)', async () => {
    const config = resolveEvolveConfig('published');
    const strategies = { ...publishedStrategies(config), stopping: { decide: () => ({ stop: true, reason: 'converged' as const, validCount: 0, spread: null, topMeanIou: null }) } };
    const mllm = scriptedMllm(agreeingHandlers());
    const result = await evolveSegment(testImage(), 'cup', { backends: { mllm, segmenter: disagreeingSegmenter() }, config, strategies });
    expect(result.trace.generations.length).toBe(1);
    expect(tasksCalled(mllm).filter((task) => task === 'rewrite_phrase').length, 'no mutation after a converged stop').toBe(0);
  });

  it('stops with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    const mllm = scriptedMllm({
      ...agreeingHandlers(),
      plan_phrases: () => {
        controller.abort(mmevolveError('cancelled', 'stopped by the user', 'run again'));
        return { phrases: ['cup'] };
      },
    });
    await expect(evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter: disagreeingSegmenter() }, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(tasksCalled(mllm), 'no call is made after the abort').toEqual(['plan_phrases']);
  });

  it('does not swallow a backend failure', async () => {
    const segmenter = createRecordingSegmenter(() => {
      throw mmevolveError('backend-http', 'segmenter answered 500', 'retry later');
    });
    await expect(evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm: scriptedMllm(agreeingHandlers()), segmenter } })).rejects.toMatchObject({ code: 'backend-http' });
  });

  it('returns an empty mask when the planner and the box see no target', async () => {
    const handlers: TaskHandlers = { plan_phrases: () => ({ phrases: [] }), predict_box: () => ({ boxes: [] }), refine_phrase: () => ({ verdict: 'keep', phrase: 'object' }), rephrase_variants: () => ({ phrases: [] }), rewrite_phrase: () => ({ phrase: 'object' }) };
    const published = scriptedMllm(handlers);
    const result = await evolveSegment(testImage(), 'the unicorn', { config: PUBLISHED_CONFIG, backends: { mllm: published, segmenter: phraseSegmenter({}) } });
    expect(maskArea(result.mask)).toBe(0);
    expect(result.trace.arbitration).toMatchObject({ decision: 'empty', reason: 'neither' });
    expect(result.trace.generations[0]?.population.map((member) => member.phrase), 'published: "object" is evolved').toEqual(['object']);
    const improved = scriptedMllm(handlers);
    const skipped = await evolveSegment(testImage(), 'the unicorn', { backends: { mllm: improved, segmenter: phraseSegmenter({}) }, config: resolveEvolveConfig('improved') });
    expect(skipped.trace.generations, 'improved: no evolution without a planned phrase').toEqual([]);
    expect(tasksCalled(improved).sort()).toEqual(['plan_phrases', 'predict_box']);
  });
});

describe('linear baselines', () => {
  it('single: one phrase, one segmenter call, merged mask', async () => {
    const mllm = scriptedMllm({ plan_phrases: () => ({ phrases: ['cup', 'mug'] }) });
    const segmenter = phraseSegmenter({ cup: [instance(CUP, 0.9), instance(rectangle(40, 30, 10, 10), 0.7)] });
    const result = await runSegmentation('single', testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter } });
    expect(maskArea(result.mask)).toBe(356);
    expect(result.phrase).toBe('cup');
    expect([result.counters.mllmCalls, result.counters.segmenterCalls]).toEqual([1, 1]);
  });

  it('box: the predicted box alone prompts the segmenter', async () => {
    const mllm = scriptedMllm({ predict_box: () => ({ boxes: [{ bbox_2d: [4, 4, 20, 20], label: 'cup' }] }) });
    const segmenter = phraseSegmenter({}, () => [instance(CUP, 0.8)]);
    const result = await runSegmentation('box', testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter } });
    expect(maskIou(result.mask, CUP)).toBe(1);
    expect(result.box).toEqual([4, 4, 20, 20]);
  });
});
