import { describe, expect, it } from 'vitest';
import type { RecordingMllmClient, RecordingSegmenter } from '../backends/__tests__/recording-mocks.js';
import type { ChatRequest } from '../core/index.js';
import { encodeRle, maskArea } from '../vision/index.js';
import { arbitrate, consistentWinner } from './arbitration.js';
import type { TextCandidate } from './arbitration.js';
import { resolveEvolveConfig } from './config.js';
import { RunContext } from './run-context.js';
import type { DatasetKind } from './config.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage, userText } from './__tests__/support.js';

const TEXT_MASK = rectangle(0, 0, 20, 20);
const BOX_MASK = rectangle(30, 10, 12, 12);

function text(): TextCandidate {
  return { evaluation: { phrase: 'the cup', mask: TEXT_MASK, rle: encodeRle(TEXT_MASK), area: 400, confidence: 0.9, instances: 1, confirmed: true, gate: { passed: true, reason: 'confident', cached: false } }, fallback: false };
}

/** Number of pixels overlay A changed: tells which mask the judge was shown first. */
function overlayAArea(request: ChatRequest<unknown>): number {
  const raw = testImage();
  const overlay = request.images?.[1];
  if (overlay === undefined || !('data' in overlay) || 'mimeType' in overlay) return -1;
  let changed = 0;
  for (let index = 0; index < raw.data.length; index += 3) {
    if (overlay.data[index] !== raw.data[index] || overlay.data[index + 1] !== raw.data[index + 1] || overlay.data[index + 2] !== raw.data[index + 2]) changed += 1;
  }
  return changed;
}

function setup(judge: (request: ChatRequest<unknown>, index: number) => unknown, overrides: Record<string, unknown> = {}, datasetKind: DatasetKind = 'reasonseg'): { run: RunContext; mllm: RecordingMllmClient; segmenter: RecordingSegmenter } {
  const mllm = scriptedMllm({ predict_box: () => ({ boxes: [{ bbox_2d: [30, 10, 42, 22], label: 'cup' }] }), judge_pair: judge, judge_pair_forced: judge });
  const segmenter = phraseSegmenter({}, () => [instance(rectangle(30, 10, 6, 6), 0.5), instance(BOX_MASK, 0.9)]);
  const run = new RunContext(testImage(), 'the cup', resolveEvolveConfig('published', overrides), { mllm, segmenter }, true, undefined, undefined, [], datasetKind);
  return { run, mllm, segmenter };
}

describe('final arbitration', () => {
  it('prompts the segmenter with the predicted box alone and keeps the highest-scoring instance', async () => {
    const { run, segmenter } = setup(() => ({ winner: 'tie', reason: 'x' }), { final: { output: 'box_only' } });
    const outcome = await arbitrate(run, text());
    const call = segmenter.calls[0];
    expect(call?.kind === 'boxes' ? [call.boxes, call.labels] : undefined).toEqual([[[30, 10, 42, 22]], [true]]);
    expect(maskArea(outcome.mask)).toBe(144);
    expect(outcome.record).toMatchObject({ decision: 'box', reason: 'output-mode', boxScore: 0.9 });
  });

  it('judges twice with the order swapped and takes a consistent verdict', async () => {
    // The judge prefers the box mask wherever it is shown.
    const { run, mllm } = setup((request) => ({ winner: overlayAArea(request) === 144 ? 'A' : 'B' }));
    const outcome = await arbitrate(run, text());
    expect(tasksCalled(mllm)).toEqual(['predict_box', 'judge_pair_forced', 'judge_pair_forced']);
    const first = userText(mllm.calls[1] ?? { messages: [] });
    expect(first, 'published: the judge sees both sources').toContain('Candidate A: Text: the cup\nCandidate B: Box: [30, 10, 42, 22]');
    expect(userText(mllm.calls[2] ?? { messages: [] })).toContain('Candidate A: Box: [30, 10, 42, 22]\nCandidate B: Text: the cup');
    expect(outcome.record.verdicts.map((verdict) => [verdict.shownA, verdict.verdict, verdict.winner])).toEqual([
      ['text', 'B', 'box'],
      ['box', 'A', 'box'],
    ]);
    expect(outcome.record).toMatchObject({ decision: 'box', reason: 'consistent' });
    expect(outcome.box).toEqual([30, 10, 42, 22]);
  });

  it('published: an inconsistent verdict falls back to text (the evolved mask) for ReasonSeg, to box for RefCOCO', async () => {
    const positional = (): unknown => ({ winner: 'A' });
    const reasonseg = setup(positional, {}, 'reasonseg');
    expect((await arbitrate(reasonseg.run, text())).record).toMatchObject({ decision: 'text', reason: 'fallback-inconsistent', textPhrase: 'the cup' });
    const refcoco = setup(positional, {}, 'refcoco');
    expect((await arbitrate(refcoco.run, text())).record).toMatchObject({ decision: 'box', reason: 'fallback-inconsistent' });
    const configured = setup(positional, { final: { inconsistentFallback: { reasonseg: 'box', refcoco: 'text' } } }, 'reasonseg');
    expect((await arbitrate(configured.run, text())).record.decision, 'fallback is configurable').toBe('box');
  });

  it('published: a short ReasonSeg query still falls back to text (the kind of dataset decides, not the query length)', async () => {
    const mllm = scriptedMllm({ predict_box: () => ({ boxes: [{ bbox_2d: [30, 10, 42, 22], label: 'cup' }] }), judge_pair_forced: () => ({ winner: 'B' }) });
    const segmenter = phraseSegmenter({}, () => [instance(BOX_MASK, 0.9)]);
    const run = new RunContext(testImage(), 'cup', resolveEvolveConfig('published'), { mllm, segmenter }, false, undefined, undefined);
    expect(run.datasetKind, 'reasonseg unless told otherwise, as the published code').toBe('reasonseg');
    expect((await arbitrate(run, text())).record).toMatchObject({ decision: 'text', reason: 'fallback-inconsistent' });
  });

  it('judges once with the single check (ablation)', async () => {
    const { run, mllm } = setup(() => ({ winner: 'A' }), { final: { check: 'single' } });
    const outcome = await arbitrate(run, text());
    expect(tasksCalled(mllm)).toEqual(['predict_box', 'judge_pair_forced']);
    expect(outcome.record).toMatchObject({ decision: 'text', reason: 'consistent' });
  });

  it('returns the text mask without a box call in text_only mode', async () => {
    const { run, mllm } = setup(() => ({ winner: 'A', reason: 'x' }), { final: { output: 'text_only' } });
    const outcome = await arbitrate(run, text());
    expect(mllm.calls.length).toBe(0);
    expect(outcome.phrase).toBe('the cup');
  });

  it('treats any tie as inconsistent', () => {
    expect(consistentWinner(['text', 'text'])).toBe('text');
    expect(consistentWinner(['tie', 'tie'])).toBeUndefined();
    expect(consistentWinner(['text', 'box'])).toBeUndefined();
  });
});
