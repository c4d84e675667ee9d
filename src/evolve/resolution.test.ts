import { describe, expect, it } from 'vitest';
import { createMask } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from '../protocols/index.js';
import { resolveEvolveConfig } from './config.js';
import { cheapRule, edgeDensity, quarterPlan, smallestMaskSide } from './resolution.js';

function flat(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(128) };
}

function withSquares(width: number, height: number, side: number, gap: number): RgbImage {
  const image = flat(width, height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (x % (side + gap) < side && y % (side + gap) < side) image.data.set([220, 30, 30], (y * width + x) * 3);
    }
  }
  return image;
}

describe('quarter resolution per model profile', () => {
  it('halves each side onto the Qwen2.5-VL grid of 28 px, at about a quarter of the visual tokens', () => {
    const plan = quarterPlan(qwen25VlProfile, { width: 640, height: 480 });
    expect(plan.sent, '320×240 snapped to multiples of 28').toEqual({ width: 308, height: 252 });
    expect(qwen25VlProfile.imageFrame(plan.sent), 'the server keeps the quarter image as it is').toEqual(plan.sent);
    expect([plan.fullTokens, plan.quarterTokens, plan.saves]).toEqual([391, 99, true]);
  });

  it('keeps Qwen3-VL at its min_pixels: a small image is not sent below 256×256', () => {
    const plan = quarterPlan(qwen3VlProfile, { width: 320, height: 320 });
    expect(plan.sent, '160×160 would be enlarged back to 65,536 pixels by the server').toEqual({ width: 256, height: 256 });
    expect([plan.fullTokens, plan.quarterTokens, plan.saves]).toEqual([100, 64, true]);
  });

  it('finds no saving for InternVL: its tiles follow the aspect ratio, so a half-size image costs the same tokens', () => {
    const plan = quarterPlan(internvl35Profile, { width: 640, height: 480 });
    expect(plan.quarterTokens).toBe(plan.fullTokens);
    expect(plan.saves).toBe(false);
  });

  it('sends half each side to an unknown model, judged by pixels since it has no token count', () => {
    const plan = quarterPlan(genericProfile, { width: 641, height: 480 });
    expect(plan.sent).toEqual({ width: 321, height: 240 });
    expect([plan.fullTokens, plan.quarterTokens, plan.saves]).toEqual([null, null, true]);
  });
});

describe('cheap rule statistics', () => {
  it('measures no edges on a flat image and more edges for more, smaller objects', () => {
    expect(edgeDensity(flat(64, 64))).toBe(0);
    const few = edgeDensity(withSquares(128, 128, 40, 24));
    const many = edgeDensity(withSquares(128, 128, 6, 4));
    expect(few, 'large squares have edges').toBeGreaterThan(0);
    expect(many, 'small squares have more edge pixels per pixel').toBeGreaterThan(3 * few);
  });

  it('measures the shorter side of the smallest shown mask at the quarter scale', () => {
    const big = createMask(100, 100);
    for (let y = 10; y < 70; y += 1) for (let x = 10; x < 50; x += 1) big.data[y * 100 + x] = 1;
    const thin = createMask(100, 100);
    for (let y = 0; y < 80; y += 1) for (let x = 60; x < 66; x += 1) thin.data[y * 100 + x] = 1;
    expect(smallestMaskSide([big], 0.5)).toBe(20);
    expect(smallestMaskSide([big, thin], 0.5), 'the 6-px-wide mask is 3 px wide at quarter').toBe(3);
    expect(smallestMaskSide([], 0.5)).toBe(Number.POSITIVE_INFINITY);
  });

  it('picks quarter for a calm image with large masks and full for busy images or thin masks', () => {
    const cheap = resolveEvolveConfig('improved').resolution.cheap;
    const big = createMask(128, 128);
    for (let y = 0; y < 80; y += 1) for (let x = 0; x < 80; x += 1) big.data[y * 128 + x] = 1;
    const thin = createMask(128, 128);
    for (let y = 0; y < 80; y += 1) for (let x = 0; x < 8; x += 1) thin.data[y * 128 + x] = 1;
    expect(cheapRule(cheap, withSquares(128, 128, 40, 24), [big]).resolution).toBe('quarter');
    expect(cheapRule(cheap, withSquares(128, 128, 6, 4), []).resolution, 'many small objects').toBe('full');
    const thinVerdict = cheapRule(cheap, withSquares(128, 128, 40, 24), [thin]);
    expect(thinVerdict.resolution, 'an 8-px-wide mask is 4 px at quarter').toBe('full');
    expect(thinVerdict.reason).toMatch(/smallest mask side 4\.0 px/);
  });
});

describe('resolution config', () => {
  it('defaults to full resolution in every preset, so nothing changes unless asked', () => {
    for (const preset of ['published', 'improved'] as const) {
      expect(resolveEvolveConfig(preset).resolution).toEqual({ mode: 'full', rule: 'cheap', cheap: { maxEdgeDensity: 0.03, minMaskSide: 16 } });
    }
  });

  it('takes the adaptive mode with either rule and merges the cheap thresholds key by key', () => {
    const config = resolveEvolveConfig('improved', { resolution: { mode: 'adaptive', rule: 'judge', cheap: { minMaskSide: 8 } } });
    expect(config.resolution).toEqual({ mode: 'adaptive', rule: 'judge', cheap: { maxEdgeDensity: 0.03, minMaskSide: 8 } });
  });

  it('names the bad field of an invalid resolution setting', () => {
    expect(() => resolveEvolveConfig('improved', { resolution: { mode: 'half' } }, 'my.yaml')).toThrow(/my\.yaml.*resolution\.mode/);
    expect(() => resolveEvolveConfig('improved', { resolution: { rule: 'model' } })).toThrow(/resolution\.rule/);
    expect(() => resolveEvolveConfig('improved', { resolution: { cheap: { maxEdgeDensity: 2 } } })).toThrow(/resolution\.cheap\.maxEdgeDensity/);
    expect(() => resolveEvolveConfig('improved', { resolution: { modes: 'full' } })).toThrow(/resolution.*modes|Unrecognized/);
  });
});
