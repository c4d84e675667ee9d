import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResult, Mask, MllmClient } from '../core/index.js';
import { maskArea, maskIou } from '../vision/index.js';
import { evolveSegment } from './evolve-segment.js';
import { runSegmentation } from './run-segmentation.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage } from './__tests__/support.js';
import { resolveEvolveConfig } from './config.js';

/** These tests pin the published behaviour; the library's own default is DEFAULT_EVOLVE_PRESET. */
const PUBLISHED_CONFIG = resolveEvolveConfig('published');

const CUP = rectangle(4, 4, 16, 16);
// The published engine still evolves the placeholder "object" after an empty plan (planning.ts).
const noTargetPlanner = {
  plan_phrases: () => ({ phrases: [] }),
  predict_box: () => ({ boxes: [] }),
  refine_phrase: () => ({ verdict: 'keep', phrase: 'object' }),
  rephrase_variants: () => ({ phrases: [] }),
  rewrite_phrase: () => ({ phrase: 'object' }),
};

describe('"no target" as a deliberate answer', () => {
  it('evol answers no target when the planner and the box stream both see nothing', async () => {
    const result = await evolveSegment(testImage(), 'the unicorn', { config: PUBLISHED_CONFIG, backends: { mllm: scriptedMllm(noTargetPlanner), segmenter: phraseSegmenter({}) } });
    expect(result.noTarget, 'an empty plan plus no box is the answer "no target"').toBe(true);
    expect(maskArea(result.mask)).toBe(0);
  });

  it('evol with fail-fast stops after the plan: no box call, no segmenter call', async () => {
    const mllm = scriptedMllm(noTargetPlanner);
    const result = await evolveSegment(testImage(), 'the unicorn', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter: phraseSegmenter({}) }, budget: { failFastNoTarget: true } });
    expect(result.noTarget).toBe(true);
    expect(tasksCalled(mllm), 'fail-fast must not ask for a box').toEqual(['plan_phrases']);
    expect(result.counters.segmenterCalls).toBe(0);
    expect(result.trace.stoppedEarly?.reason).toBe('planner-no-target');
  });

  it('evol does not claim no target when the box stream finds the object the planner missed', async () => {
    const mllm = scriptedMllm({ ...noTargetPlanner, predict_box: () => ({ boxes: [{ bbox_2d: [4, 4, 20, 20], label: 'cup' }] }) });
    const result = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter: phraseSegmenter({}, () => [instance(CUP, 0.9)]) } });
    expect(result.noTarget).toBe(false);
    expect(maskIou(result.mask, CUP)).toBe(1);
  });

  it('single, box, agent and concept-only baselines each answer no target on purpose', async () => {
    const segmenter = phraseSegmenter({});
    const single = await runSegmentation('single', testImage(), 'unicorn', { backends: { mllm: scriptedMllm(noTargetPlanner), segmenter } });
    const box = await runSegmentation('box', testImage(), 'unicorn', { backends: { mllm: scriptedMllm(noTargetPlanner), segmenter } });
    const agent = await runSegmentation('agent', testImage(), 'unicorn', {
      backends: { mllm: scriptedMllm({ agent_step: () => ({ tool: 'report_no_mask', arguments: { text_prompt: null, final_answer_masks: null } }) }), segmenter },
    });
    const conceptOnly = await runSegmentation('concept-only', testImage(), 'unicorn', { backends: { mllm: scriptedMllm({}), segmenter } });
    expect([single.noTarget, box.noTarget, agent.noTarget, conceptOnly.noTarget], 'single / box / agent / concept-only').toEqual([true, true, true, true]);
  });

  it('a segmenter that finds nothing for a planned phrase is an empty mask, not a declared no target', async () => {
    const single = await runSegmentation('single', testImage(), 'cup', { backends: { mllm: scriptedMllm({ plan_phrases: () => ({ phrases: ['cup'] }) }), segmenter: phraseSegmenter({}) } });
    expect(maskArea(single.mask)).toBe(0);
    expect(single.noTarget).toBe(false);
  });
});

describe('per-sample budgets', () => {
  const handlers = {
    plan_phrases: () => ({ phrases: ['cup'] }),
    refine_phrase: () => ({ verdict: 'keep', phrase: 'cup' }),
    rephrase_variants: () => ({ phrases: ['mug', 'red cup', 'the cup'] }),
    predict_box: () => ({ boxes: [{ bbox_2d: [4, 4, 20, 20], label: 'cup' }] }),
    judge_pair: () => ({ winner: 'tie', reason: 'same region' }),
    judge_pair_forced: () => ({ winner: 'A', reason: 'same region' }),
    rewrite_phrase: () => ({ phrase: 'cup' }),
    verify_mask: () => ({ answer: 'yes' }),
  } as const;
  const masks: Record<string, Mask> = { cup: CUP, mug: CUP, 'red cup': CUP, 'the cup': CUP };

  it('evol stops at the call cap and answers with its best mask so far, marked as capped', async () => {
    const mllm = scriptedMllm(handlers);
    const segmenter = phraseSegmenter(Object.fromEntries(Object.entries(masks).map(([phrase, mask]) => [phrase, [instance(mask, 0.9)]])), () => [instance(CUP, 0.9)]);
    const uncapped = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm: scriptedMllm(handlers), segmenter } });
    const capped = await evolveSegment(testImage(), 'cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter }, budget: { maxCalls: 8 } });
    expect(uncapped.calls.length, 'the uncapped run needs more than 8 calls for this test to mean anything').toBeGreaterThan(8);
    expect(capped.budgetHit).toBe('calls');
    expect(capped.calls.length, 'no call beyond the cap').toBeLessThanOrEqual(8);
    expect(maskIou(capped.mask, CUP), 'the best evaluated phrase is the answer').toBe(1);
    expect(capped.trace.stoppedEarly?.reason).toBe('budget-calls');
  });

  it('a baseline that runs out of tokens fails with budget-exceeded', async () => {
    const scripted = scriptedMllm({ plan_phrases: () => ({ phrases: ['cup'] }) });
    // The planner call reports 120 prompt tokens; a 100-token budget refuses the segmenter call after it.
    const mllm: MllmClient = {
      model: scripted.model,
      profileName: scripted.profileName,
      supportsJsonSchema: scripted.supportsJsonSchema,
      listModels: (signal) => scripted.listModels(signal),
      chat: async <T,>(request: ChatRequest<T>): Promise<ChatResult<T>> => {
        const result = await scripted.chat(request);
        return { ...result, call: { ...result.call, promptTokens: 120 } };
      },
    };
    const segmenter = phraseSegmenter({ cup: [instance(CUP, 0.9)] });
    await expect(runSegmentation('single', testImage(), 'cup', { backends: { mllm, segmenter }, budget: { maxTokens: 100 } })).rejects.toMatchObject({ code: 'budget-exceeded', message: expect.stringContaining('100 tokens') });
  });
});
