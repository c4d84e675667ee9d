import { describe, expect, it } from 'vitest';
import { resolveEvolveConfig } from './config.js';
import { evaluatePhrase, gateByConfidence, mergeInstances } from './evaluation.js';
import { RunContext } from './run-context.js';
import { HEIGHT, WIDTH, instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage, userText } from './__tests__/support.js';
import type { RecordingMllmClient, RecordingSegmenter } from '../backends/__tests__/recording-mocks.js';
import { messageText } from '../core/index.js';

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

  it('published: the gate prompt shows the refined phrase and the overlay colour name', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'yes' }) });
    const run = context(mllm, phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.5)] }));
    run.targetPhrase = 'the red cup on the left';
    await evaluatePhrase(run, 'cup');
    const request = mllm.calls[0] ?? { messages: [] };
    const colourName = userText(request).match(/Overlay colour: (.+)/)?.[1];
    expect(userText(request)).toContain('Phrase: the red cup on the left\n');
    expect(colourName, 'a palette colour by name').toMatch(/^(red|green|blue|yellow|magenta|cyan|orange|purple|spring green|rose)$/);
    const system = messageText(request.messages[0]?.content ?? '');
    expect(system, 'the instructions name the colour too').toContain(`${colourName ?? '?'} overlay`);
  });

  it('improved: the gate prompt shows only the query (fix gateSeesQueryOnly)', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'yes' }) });
    const run = context(mllm, phraseSegmenter({ cup: [instance(rectangle(4, 4, 10, 10), 0.5)] }), { fixes: { gateSeesQueryOnly: true } });
    run.targetPhrase = 'the red cup on the left';
    await evaluatePhrase(run, 'cup');
    const text = userText(mllm.calls[0] ?? { messages: [] });
    expect(text).not.toContain('Phrase:');
    expect(text).not.toContain('Overlay colour:');
  });

  it('published: a mask with confidence in (0.6, 0.85] passes the gate whatever the MLLM says (it is still asked)', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'no' }) });
    const segmenter = phraseSegmenter({
      above: [instance(rectangle(4, 4, 10, 10), 0.61)],
      top: [instance(rectangle(20, 4, 10, 10), 0.85)],
      at: [instance(rectangle(36, 4, 10, 10), 0.6)],
    });
    const run = context(mllm, segmenter);
    expect((await evaluatePhrase(run, 'above')).gate).toEqual({ passed: true, reason: 'confirmed', cached: false, mllmSaid: 'no' });
    expect((await evaluatePhrase(run, 'top')).gate, 'solver.py: sam_conf > 0.85 skips the MLLM, 0.85 itself does not').toMatchObject({ passed: true, reason: 'confirmed' });
    expect((await evaluatePhrase(run, 'at')).gate, 'exactly 0.6 is not above the confirmation threshold').toEqual({ passed: false, reason: 'verified-no', cached: false });
    expect(tasksCalled(mllm), 'the published code asks the MLLM in the whole band').toEqual(['verify_mask', 'verify_mask', 'verify_mask']);
  });

  it('improved: the MLLM decides the whole band (fix mllmDecidesGateBand)', async () => {
    const mllm = scriptedMllm({ verify_mask: () => ({ answer: 'no' }) });
    const run = context(mllm, phraseSegmenter({ above: [instance(rectangle(4, 4, 10, 10), 0.8)] }), { fixes: { mllmDecidesGateBand: true } });
    expect((await evaluatePhrase(run, 'above')).gate).toEqual({ passed: false, reason: 'verified-no', cached: false });
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
    const segmenter = phraseSegmenter({ cup: [instance(same, 0.5)], mug: [instance(same, 0.55)], beaker: [instance(same, 0.7)] });
    const run = context(mllm, segmenter);
    await evaluatePhrase(run, 'cup');
    const second = await evaluatePhrase(run, 'mug');
    expect(mllm.calls.length, 'one verify_mask for one mask').toBe(1);
    expect(second.gate).toEqual({ passed: true, reason: 'verified-yes', cached: true });
    expect((await evaluatePhrase(run, 'beaker')).gate, 'a cached answer is overruled by confidence too').toEqual({ passed: true, reason: 'confirmed', cached: true, mllmSaid: 'yes' });
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
