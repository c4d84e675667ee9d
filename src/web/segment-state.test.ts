import { describe, expect, it } from 'vitest';
import { encodeRle } from '../vision/index.js';
import { applyEvent, initialSegmentState, readOutcome } from './segment-state.js';
import type { SegmentState } from './segment-state.js';

function fold(events: [string, unknown][]): SegmentState {
  return events.reduce((state, [name, data]) => applyEvent(state, name, data), initialSegmentState());
}

/** A POST /v1/segment answer as the server sends it (src/server/api-schemas.ts), with the given fields. */
function segmentResponse(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    method: 'evol',
    settings: { preset: 'improved', evolve: {} },
    query: 'the red square',
    width: 4,
    height: 3,
    mask: { rle, png: 'iVBORw0KGgo=', area: 4 },
    overlay: { png: 'AAAA' },
    models: { mllm: 'm', judge: 'm', segmenter: 's' },
    trace: {},
    counters: {},
    calls: 3,
    warnings: [],
    ...fields,
  };
}

const rle = encodeRle({ width: 4, height: 3, data: Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]) });

describe('segment view state', () => {
  it('follows a run from planning through fights and generations to the arbitration', () => {
    const state = fold([
      ['segmentation-start', { type: 'segmentation-start', method: 'evol', query: 'the red square' }],
      ['planning-end', { type: 'planning-end', population: ['red square', 'square'] }],
      ['phrase-evaluated', { type: 'phrase-evaluated', generation: 1, phrase: 'red square', confidence: 0.9, area: 40, passed: true, reason: 'confident' }],
      ['phrase-evaluated', { type: 'phrase-evaluated', generation: 1, phrase: 'square', confidence: 0.2, area: 0, passed: false, reason: 'empty' }],
      ['fight-end', { type: 'fight-end', generation: 1, champion: 'red square', challenger: 'square', winner: 'champion' }],
      ['generation-end', { type: 'generation-end', generation: 1, fitness: [{ phrase: 'red square', fitness: 1.5 }], stop: { stop: true, reason: 'converged' } }],
      ['arbitration-end', { type: 'arbitration-end', decision: 'text' }],
    ]);
    expect(state.status).toBe('running');
    expect(state.population).toEqual(['red square', 'square']);
    expect(state.phrases.map((card) => [card.phrase, card.passed, card.reason])).toEqual([
      ['red square', true, 'confident'],
      ['square', false, 'empty'],
    ]);
    expect(state.fights).toEqual([{ generation: 1, champion: 'red square', challenger: 'square', winner: 'champion' }]);
    expect(state.generations).toEqual([{ generation: 1, fitness: [{ phrase: 'red square', fitness: 1.5 }], stop: 'converged' }]);
    expect(state.arbitration).toEqual({ decision: 'text' });
  });

  it('gives a phrase card its mask thumbnail and a fight its verdict as soon as the live events carry them', () => {
    const state = fold([
      ['phrase-evaluated', { type: 'phrase-evaluated', generation: 1, phrase: 'red square', confidence: 0.9, area: 4, passed: true, reason: 'confident', rle }],
      ['fight-end', { type: 'fight-end', generation: 1, champion: 'red square', challenger: 'square', winner: 'challenger', verdict: 'B', shownA: 'red square', shownB: 'square', reason: 'B covers it' }],
    ]);
    expect(state.status, 'no result yet').not.toBe('done');
    expect(state.phrases[0]?.rle, 'the live event gave the phrase its mask').toEqual(rle);
    expect(state.fights[0]?.verdict).toBe('B');
    expect(state.fights[0]?.reason).toBe('B covers it');
  });

  it('takes the event type from the SSE event name when the data does not carry one', () => {
    const state = fold([['generation-start', { generation: 2, population: ['a', 'b'] }]]);
    expect(state.stage).toBe('generation 2');
    expect(state.population).toEqual(['a', 'b']);
  });

  it('fills mask thumbnails and fight verdicts from the final trace', () => {
    const state = fold([
      ['phrase-evaluated', { type: 'phrase-evaluated', generation: 1, phrase: 'red square', confidence: 0.9, area: 4, passed: true, reason: 'confident' }],
      [
        'result',
        segmentResponse({
          phrase: 'red square',
          trace: {
            phrases: [{ generation: 1, phrase: 'red square', rle, area: 4, confidence: 0.9, gate: { passed: true, reason: 'confident' } }],
            generations: [{ fights: [{ generation: 1, champion: 'red square', challenger: 'square', winner: 'challenger', verdict: 'B', reason: 'B covers the whole square' }] }],
            arbitration: { decision: 'text', reason: 'consistent' },
          },
        }),
      ],
    ]);
    expect(state.status).toBe('done');
    expect(state.phrases).toHaveLength(1);
    expect(state.phrases[0]?.rle, 'the trace gave the phrase its mask').toEqual(rle);
    expect(state.fights[0]?.verdict).toBe('B');
    expect(state.fights[0]?.reason).toBe('B covers the whole square');
    expect(state.arbitration).toEqual({ decision: 'text', reason: 'consistent' });
    expect(state.outcome?.rle).toEqual(rle);
    expect(state.outcome?.maskPng).toBe('iVBORw0KGgo=');
    expect(state.outcome?.overlayPng).toBe('AAAA');
  });

  it('fails the view when the result does not fit the server\'s schema, and reports a streamed error with its hint', () => {
    const broken = fold([['result', { ...segmentResponse({}), overlay: { base64: 'AAAA' } }]]);
    expect(broken.status, 'no guessing at other names for the PNG').toBe('failed');
    expect(broken.error).toContain('overlay.png');
    expect(() => readOutcome({ mask: rle }), 'a bare RLE is not a segment response').toThrow();
    const failed = fold([['error', { error: { code: 'backend-unavailable', message: 'the segmenter is down', hint: 'retry in 5 s' } }]]);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('the segmenter is down — retry in 5 s');
  });
});
