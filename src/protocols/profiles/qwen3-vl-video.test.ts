// Expected numbers computed by hand from the upstream rules cited in qwen3-vl-video.ts.
import { describe, expect, it } from 'vitest';
import {
  evenlySpreadKeyFrames,
  formatHms,
  keyFrameNeighbourhood,
  nearestTimePosition,
  parseTemporalAnswer,
  parseTemporalPoint,
  qwen3VlGroupTimestamps,
  qwen3VlSampleFrameIndices,
  qwen3VlTimestampText,
  qwen3VlVideoContentOrder,
} from './qwen3-vl-video.js';

describe('Qwen3-VL video frame sampling', () => {
  it('samples 2 fps from a 10 s clip at 25 fps: 20 frames over 0..249', () => {
    // int(250 / 25 * 2) = 20; linspace(0, 249, 20) has step 249/19 = 13.105…
    const indices = qwen3VlSampleFrameIndices(250, 25);
    expect(indices, 'frame count').toHaveLength(20);
    expect(indices.slice(0, 4), 'first indices (0, 13.1, 26.2, 39.3 rounded)').toEqual([0, 13, 26, 39]);
    expect(indices.at(-1), 'last index is the last frame').toBe(249);
  });

  it('raises a 1 s clip to the 4-frame minimum', () => {
    // int(30/30*2) = 2 → max(2, 4) = 4; linspace(0, 29, 4) = 0, 9.67, 19.33, 29
    expect(qwen3VlSampleFrameIndices(30, 30)).toEqual([0, 10, 19, 29]);
  });

  it('caps a long clip at 768 frames and a tiny one at its frame count', () => {
    expect(qwen3VlSampleFrameIndices(30000, 30), '1000 s at 30 fps').toHaveLength(768);
    expect(qwen3VlSampleFrameIndices(3, 30), 'three-frame clip').toEqual([0, 1, 2]);
  });

  it('rounds linspace halves to even as numpy does', () => {
    // int(11/4*2) = 5; linspace(0, 10, 5) = 0, 2.5, 5, 7.5, 10 → 0, 2, 5, 8, 10
    expect(qwen3VlSampleFrameIndices(11, 4)).toEqual([0, 2, 5, 8, 10]);
  });

  it('rejects a video without frames or frame rate', () => {
    expect(() => qwen3VlSampleFrameIndices(0, 25)).toThrow(/at least one frame/);
    expect(() => qwen3VlSampleFrameIndices(10, 0)).toThrow(/frame rate/);
  });
});

describe('Qwen3-VL video timestamps', () => {
  it('averages each pair of frames and pads an odd count with the last frame', () => {
    // [0,2,5,8,10,10] / 4 fps → (0+0.5)/2, (1.25+2)/2, (2.5+2.5)/2
    expect(qwen3VlGroupTimestamps([0, 2, 5, 8, 10], 4)).toEqual([0.25, 1.625, 2.5]);
  });

  it('writes timestamps as Python f"<{t:.1f} seconds>" does, exact ties to even', () => {
    expect(qwen3VlTimestampText(0.25), '0.25 is an exact tie: Python gives 0.2').toBe('<0.2 seconds>');
    expect(qwen3VlTimestampText(0.75), '0.75 ties to 0.8').toBe('<0.8 seconds>');
    expect(qwen3VlTimestampText(1.625)).toBe('<1.6 seconds>');
    expect(qwen3VlTimestampText(0.26)).toBe('<0.3 seconds>');
    expect(qwen3VlTimestampText(65)).toBe('<65.0 seconds>');
  });

  it('puts each group timestamp before its two frames', () => {
    // 10 s at 25 fps: groups (0,13) → 6.5/25 = 0.26 s, (26,39) → 32.5/25 = 1.3 s
    const parts = qwen3VlVideoContentOrder([0, 13, 26, 39], 25);
    expect(parts).toEqual([{ text: '<0.3 seconds>' }, { frame: 0 }, { frame: 1 }, { text: '<1.3 seconds>' }, { frame: 2 }, { frame: 3 }]);
  });
});

describe('temporal answers', () => {
  it('reads "from 3.5 to 7 seconds" as a span', () => {
    expect(parseTemporalAnswer('The dog jumps from 3.5 to 7 seconds.')).toEqual({ startSeconds: 3.5, endSeconds: 7 });
  });

  it('reads HH:MM:SS and MM:SS', () => {
    expect(parseTemporalAnswer('at 00:01:05')).toEqual({ startSeconds: 65, endSeconds: 65 });
    expect(parseTemporalAnswer('01:05 - 01:10.5')).toEqual({ startSeconds: 65, endSeconds: 70.5 });
  });

  it('reads the timestamp tokens the model was shown', () => {
    expect(parseTemporalAnswer('<3.5 seconds> to <12.0 seconds>')).toEqual({ startSeconds: 3.5, endSeconds: 12 });
  });

  it('rejects an answer without a time or with a reversed span', () => {
    expect(() => parseTemporalAnswer('it never happens')).toThrow(/no time found/);
    expect(() => parseTemporalAnswer('from 9 s to 2 s')).toThrow(/before it starts/);
  });
});

describe('timestamps in the HH:MM:SS form', () => {
  it('writes HH:MM:SS with the one decimal of the seconds form', () => {
    expect(formatHms(65.5)).toBe('00:01:05.5');
    expect(formatHms(3725.04)).toBe('01:02:05.0');
    expect(formatHms(59.96), 'rounds up into the next minute').toBe('00:01:00.0');
    expect(qwen3VlTimestampText(65.5, 'hms')).toBe('<00:01:05.5>');
    expect(qwen3VlTimestampText(65.5), 'the processor form stays the default').toBe('<65.5 seconds>');
  });
});

describe('temporal points', () => {
  it('reads "at 00:01:05", "65.5 seconds", "<65.5 seconds>" and a bare "65.5" as seconds', () => {
    expect(parseTemporalPoint('at 00:01:05')).toBe(65);
    expect(parseTemporalPoint('65.5 seconds')).toBe(65.5);
    expect(parseTemporalPoint('<65.5 seconds>')).toBe(65.5);
    expect(parseTemporalPoint('<00:01:05.5>'), 'our hms timestamp read back').toBe(65.5);
    expect(parseTemporalPoint('65.5')).toBe(65.5);
    expect(parseTemporalPoint('best at 3 s, also at 9 s'), 'the first time named').toBe(3);
  });

  it('rejects text without a time', () => {
    expect(() => parseTemporalPoint('the red ball')).toThrow(/no time found/);
    expect(() => parseTemporalPoint('')).toThrow(/no time found/);
  });

  it('matches a time to the nearest sampled frame and takes its neighbours', () => {
    const seconds = [0, 0.5, 1, 1.5, 2];
    expect(nearestTimePosition(seconds, 1.2)).toBe(2);
    expect(nearestTimePosition(seconds, 0.75), 'a tie goes to the earlier frame').toBe(1);
    expect(nearestTimePosition(seconds, 99), 'past the end: the last frame').toBe(4);
    expect(keyFrameNeighbourhood(5, 2, 1)).toEqual([1, 2, 3]);
    expect(keyFrameNeighbourhood(5, 0, 1), 'clipped at the start').toEqual([0, 1]);
    expect(keyFrameNeighbourhood(5, 4, 0)).toEqual([4]);
  });
});

describe('key frames', () => {
  it('spreads key frames evenly, first and last included', () => {
    expect(evenlySpreadKeyFrames(20, 4)).toEqual([0, 6, 13, 19]);
    expect(evenlySpreadKeyFrames(3, 8), 'never more than sampled').toEqual([0, 1, 2]);
    expect(evenlySpreadKeyFrames(20, 1)).toEqual([0]);
  });
});
