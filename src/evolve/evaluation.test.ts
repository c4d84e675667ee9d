import { describe, expect, it } from 'vitest';
import { resolveEvolveConfig } from './config.js';
import { evaluatePhrase, gateByConfidence, mergeInstances } from './evaluation.js';
import { RunContext } from './run-context.js';
import { HEIGHT, WIDTH, instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage, userText } from './__tests__/support.js';
import type { RecordingMllmClient, RecordingSegmenter } from '../backends/index.js';

function context(mllm: RecordingMllmClient, segmenter: RecordingSegmenter, overrides: Record<string, unknown> = {}): RunContext {
  return new RunContext(testImage(), 'the red cup', resolveEvolveConfig('published', overrides), { mllm, segmenter }, false, undefined, undefined);
}

describe('semantic gate', () => {
  it('passes above 0.85 and fails below 0.35 without asking the MLLM, verifies in between', () => {
    const gate = resolveEvolveConfig('published').gate;
    expect(gateByConfidence(0.86, 100, gate)?.passed).toBe(true);
    expect(gateByConfidence(0.85, 100, gate), 'exactly 0.85 is not above the pass threshold').toBeUndefined();
    expect(gateByConfidence(0.35, 100, gate), 'exactly 0.35 is not below the fail threshold').toBeUndefined();
    expect(gateByConfidence(0.34, 100, gate)).toEqual({ passed: false, reason: 'unconfident', cached: false });
    expect(gateByConfidence(0.99, 0, gate)).toEqual({ passed: false, reason: 'empty', cached: false });
  });

  it('asks verify_mask with the raw image and an overlay for a middling confidence and passes on yes', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'yes' }) });
    const segmenter = phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.6)] });
    const evaluation = await evaluatePhrase(context(mllm, segmenter), 'cup');
    expect(evaluation.gate).toEqual({ passed: true, reason: 'verified-yes', cached: false });
    expect(tasksCalled(mllm)).toEqual(['verify_mask']);
    const request = mllm.calls[0];
    expect(request?.images?.length, 'verify sees [raw, overlay]').toBe(2);
    expect(userText(request ?? { messages: [] })).toContain('Query: [\'the red cup\']');
    expect(userText(request ?? { messages: [] })).toContain('Image roles: raw, overlay');
  });

  it('fails a middling mask the verifier rejects, and a confident one passes with no MLLM call', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'no' }) });
    const segmenter = phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.5)], mug: [instance(rectangle(30, 4, 10, 10), 0.95)] });
    const run = context(mllm, segmenter);
    expect((await evaluatePhrase(run, 'cup')).gate.reason).toBe('verified-no');
    expect((await evaluatePhrase(run, 'mug')).gate.reason).toBe('confident');
    expect(mllm.calls.length).toBe(1);
  });

  it('counts confidence above 0.6 as segmenter-confirmed', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'yes' }) });
    const segmenter = phraseSegmenter({ low: [instance(rectangle(4, 4, 10, 10), 0.6)], high: [instance(rectangle(4, 4, 10, 10), 0.61)] });
    const run = context(mllm, segmenter);
    expect((await evaluatePhrase(run, 'low')).confirmed).toBe(false);
    expect((await evaluatePhrase(run, 'high')).confirmed).toBe(true);
  });
});

describe('phrase evaluation', () => {
  it('drops instances under 50 pixels and OR-merges the rest, taking the highest kept score', () => {
    const merged = mergeInstances([instance(rectangle(0, 0, 7, 7), 0.99), instance(rectangle(10, 10, 10, 5), 0.7), instance(rectangle(30, 10, 5, 10), 0.8)], WIDTH, HEIGHT, 50);
    expect(merged.kept, '49-pixel instance dropped').toBe(2);
    expect(merged.confidence).toBe(0.8);
    expect(merged.mask.data.reduce((sum, value) => sum + value, 0)).toBe(100);
  });

  it('segments each phrase once per run (case and spacing ignored)', async () => {
    const mllm = scriptedMllm({});
    const segmenter = phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.9)], ' Cup ': [] });
    const run = context(mllm, segmenter);
    await evaluatePhrase(run, 'cup');
    const again = await evaluatePhrase(run, ' Cup ');
    expect(segmenter.calls.length).toBe(1);
    expect(again.area).toBe(100);
    expect(run.counters.phraseCacheHits).toBe(1);
  });

  it('verifies one mask once even when two phrases produce it', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'yes' }) });
    const same = rectangle(4, 4, 10, 10);
    const segmenter = phraseSegmenter({ cup: [instance(same, 0.5)], mug: [instance(same, 0.55)] });
    const run = context(mllm, segmenter);
    await evaluatePhrase(run, 'cup');
    const second = await evaluatePhrase(run, 'mug');
    expect(mllm.calls.length, 'one verify_mask for one mask').toBe(1);
    expect(second.gate).toEqual({ passed: true, reason: 'verified-yes', cached: true });
  });

  it('turns an unreadable verifier answer into a failed gate with a warning', async () => {
    const mllm = scriptedMllm({ verify_mask: () => 'not json at all' });
    const segmenter = phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.5)] });
    const run = context(mllm, segmenter);
    const evaluation = await evaluatePhrase(run, 'cup');
    expect(evaluation.gate.reason).toBe('unparsable');
    expect(run.warnings.map((warning) => warning.code)).toContain('verify-unparsable');
  });
});
