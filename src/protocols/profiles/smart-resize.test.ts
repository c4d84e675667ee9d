import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import { roundHalfToEven, smartResize } from './smart-resize.js';

// [height, width, factor, min, max, resized height, resized width] printed by CPython running the
// transformers function (see __fixtures__/make-smart-resize-golden.py); 127 of the 800 would change with
// half-up rounding.
const golden = JSON.parse(
  readFileSync(new URL('./__fixtures__/smart-resize-golden.json', import.meta.url), 'utf8'),
) as Array<[number, number, number, number, number, number, number]>;

const qwen25 = { factor: 28, minPixels: 3136, maxPixels: 1003520 };
const qwen3 = { factor: 32, minPixels: 65536, maxPixels: 16777216 };

describe('roundHalfToEven', () => {
  it('rounds exact halves to the even neighbour like Python round', () => {
    expect(roundHalfToEven(22.5)).toBe(22);
    expect(roundHalfToEven(23.5)).toBe(24);
    expect(roundHalfToEven(0.5)).toBe(0);
    expect(roundHalfToEven(1.5)).toBe(2);
  });

  it('rounds non-ties to the nearest integer', () => {
    expect(roundHalfToEven(35.714)).toBe(36);
    expect(roundHalfToEven(0.714)).toBe(1);
    expect(roundHalfToEven(2.4999)).toBe(2);
  });
});

describe('smartResize', () => {
  it('rounds a side of 22.5 factors down to 22 (half to even), not up as Math.round would', () => {
    // 630 / 28 = 22.5 → 22 · 28 = 616; 1000 / 28 = 35.71 → 36 · 28 = 1008.
    expect(smartResize(630, 1000, qwen25)).toEqual({ height: 616, width: 1008 });
  });

  it('rounds a side of 23.5 factors up to 24 (half to even)', () => {
    // 658 / 28 = 23.5 → 24 · 28 = 672.
    expect(smartResize(658, 1000, qwen25)).toEqual({ height: 672, width: 1008 });
  });

  it('applies the tie rule with the Qwen3-VL factor 32 on a 720p frame', () => {
    // 720 / 32 = 22.5 → 22 · 32 = 704; 1280 / 32 = 40 exactly.
    expect(smartResize(720, 1280, qwen3)).toEqual({ height: 704, width: 1280 });
  });

  it('keeps sizes that are already multiples of the factor inside the pixel range', () => {
    expect(smartResize(480, 640, qwen3)).toEqual({ height: 480, width: 640 });
    expect(smartResize(280, 560, qwen25)).toEqual({ height: 280, width: 560 });
  });

  it('scales down with floor when the rounded area exceeds max pixels', () => {
    // 1988 · 2996 > 1003520 → β = sqrt(6e6 / 1003520) = 2.4452; floor(2000/β/28) = 29, floor(3000/β/28) = 43.
    const resized = smartResize(2000, 3000, qwen25);
    expect(resized).toEqual({ height: 29 * 28, width: 43 * 28 });
    expect(resized.height * resized.width).toBeLessThanOrEqual(qwen25.maxPixels);
  });

  it('scales up with ceil when the rounded area is below min pixels', () => {
    // 28 · 28 < 3136 → β = sqrt(3136 / 600) = 2.2862; ceil(20β/28) = 2, ceil(30β/28) = 3.
    const resized = smartResize(20, 30, qwen25);
    expect(resized).toEqual({ height: 56, width: 84 });
    expect(resized.height * resized.width).toBeGreaterThanOrEqual(qwen25.minPixels);
    // Qwen3-VL's 65536 minimum lifts a 100×100 image to 256×256.
    expect(smartResize(100, 100, qwen3)).toEqual({ height: 256, width: 256 });
  });

  it('accepts an aspect ratio of exactly 200 and keeps at least one factor per side', () => {
    expect(smartResize(1, 200, qwen25)).toEqual({ height: 28, width: 812 });
  });

  it('rejects aspect ratios above 200 with an invalid-input error', () => {
    let caught: unknown;
    try {
      smartResize(1, 201, qwen25);
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught), 'smartResize should throw MmevolveError').toBe(true);
    expect(isMmevolveError(caught) ? caught.code : undefined).toBe('invalid-input');
    expect(() => smartResize(3000, 10, qwen25)).toThrow(/aspect ratio/);
  });

  it('rejects non-positive or fractional sides and inverted pixel bounds', () => {
    expect(() => smartResize(0, 10, qwen25)).toThrow(/positive integer/);
    expect(() => smartResize(10.5, 10, qwen25)).toThrow(/positive integer/);
    expect(() => smartResize(100, 100, { factor: 28, minPixels: 10, maxPixels: 5 })).toThrow(/inconsistent/);
  });

  it('always returns multiples of the factor', () => {
    for (const [height, width] of [
      [333, 517],
      [1080, 1920],
      [4000, 3000],
      [57, 1111],
    ] as const) {
      const resized = smartResize(height, width, qwen25);
      expect(resized.height % 28, `height for ${width}×${height}`).toBe(0);
      expect(resized.width % 28, `width for ${width}×${height}`).toBe(0);
    }
  });

  it('matches CPython on 800 golden cases, half of them with sides at exact half multiples of the factor', () => {
    expect(golden).toHaveLength(800);
    const mismatched = golden.filter(([height, width, factor, minPixels, maxPixels, resizedHeight, resizedWidth]) => {
      const resized = smartResize(height, width, { factor, minPixels, maxPixels });
      return resized.height !== resizedHeight || resized.width !== resizedWidth;
    });
    expect(mismatched).toEqual([]);
  });
});
