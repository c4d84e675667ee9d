import { describe, expect, it } from 'vitest';
import type { Box, Size } from '../../core/index.js';
import { isMmevolveError } from '../../core/index.js';
import {
  detectProfile,
  genericProfile,
  getProfile,
  internvl35Profile,
  listProfiles,
  qwen25VlProfile,
  qwen3VlProfile,
  resolveProfile,
} from './index.js';

const image: Size = { width: 1000, height: 630 };

describe('qwen2.5-vl profile', () => {
  it('sees the smart-resized frame and converts boxes into its pixels', () => {
    // 1000 / 28 = 35.7 → 1008; 630 / 28 = 22.5 → 22 (half to even) → 616.
    expect(qwen25VlProfile.imageFrame(image)).toEqual({ width: 1008, height: 616 });
    // 100·1008/1000 = 100.8 → 101; 63·616/630 = 61.6 → 62; 500 → 504; 315 → 308.
    expect(qwen25VlProfile.toModelBox([100, 63, 500, 315], image)).toEqual([101, 62, 504, 308]);
  });

  it('rescales a model box from the resized frame to original pixels', () => {
    const box = qwen25VlProfile.fromModelBox([504, 308, 1008, 616], image);
    expect(box).toEqual([500, 315, 1000, 630]);
  });

  it('allows 12,845,056 pixels by default, as qwen-vl-utils, the model repos and vLLM do (published EVOL-SAM3 run)', () => {
    expect(qwen25VlProfile.pixelBounds, 'qwen-vl-utils MIN_PIXELS 4·28·28, MAX_PIXELS 16384·28·28').toEqual({ minPixels: 3136, maxPixels: 16384 * 28 * 28 });
    const large: Size = { width: 3000, height: 2000 };
    expect(qwen25VlProfile.imageFrame(large), 'only rounded to multiples of 28, not downscaled').toEqual({ width: 2996, height: 1988 });
    expect(qwen25VlProfile.imageTokens(large)).toBe(107 * 71);
  });

  it('honours min/max pixel overrides in the frame and the token count', () => {
    const large: Size = { width: 3000, height: 2000 };
    const capped = { maxPixels: 1003520 };
    expect(qwen25VlProfile.imageFrame(large, capped), "transformers' bare Qwen2VLImageProcessor cap").toEqual({ width: 1204, height: 812 });
    expect(qwen25VlProfile.imageTokens(large, capped)).toBe(43 * 29);
  });

  it('reports the patch grid and tokens the transformers processor would', () => {
    expect(qwen25VlProfile.imageInfo(image)).toEqual({
      kind: 'patch-grid',
      resizedWidth: 1008,
      resizedHeight: 616,
      grid: [1, 44, 72],
      imageTokens: 22 * 36,
    });
  });
});

describe('qwen3-vl profile', () => {
  it('writes boxes in 0–1000 of the original image, independent of the resize', () => {
    expect(qwen3VlProfile.toModelBox([100, 63, 500, 315], image)).toEqual([100, 100, 500, 500]);
    expect(qwen3VlProfile.fromModelBox([100, 100, 500, 500], image)).toEqual([100, 63, 500, 315]);
  });

  it('uses factor 32 and the 256²–4096² pixel bounds of the model repos', () => {
    expect(qwen3VlProfile.imageInfo({ width: 1280, height: 720 })).toEqual({
      kind: 'patch-grid',
      resizedWidth: 1280,
      resizedHeight: 704,
      grid: [1, 44, 80],
      imageTokens: 22 * 40,
    });
    expect(qwen3VlProfile.imageFrame({ width: 100, height: 100 })).toEqual({ width: 256, height: 256 });
    expect(qwen3VlProfile.video).toMatchObject({ fps: 2, minFrames: 4, maxFrames: 768 });
  });
});

describe('internvl3.5 profile', () => {
  it('writes boxes in 0–1000 inside the <box> syntax', () => {
    expect(internvl35Profile.boxSyntax).toBe('internvl-box');
    expect(internvl35Profile.toModelBox([250, 315, 750, 630], image)).toEqual([250, 500, 750, 1000]);
    expect(internvl35Profile.fromModelBox([250, 500, 750, 1000], image)).toEqual([250, 315, 750, 630]);
  });

  it('reports tiles including the thumbnail and 256 tokens each', () => {
    expect(internvl35Profile.imageInfo({ width: 1920, height: 1080 })).toEqual({
      kind: 'tiles',
      cols: 4,
      rows: 2,
      numTiles: 9,
      imageTokens: 2304,
    });
    expect(internvl35Profile.imageFrame({ width: 1920, height: 1080 })).toEqual({ width: 1792, height: 896 });
    // With at most 6 tiles, 16:9 = 1.78 is closest to 2×1 (|1.78 − 2| < |1.78 − 1.5|): 2 tiles + thumbnail.
    expect(internvl35Profile.imageTokens({ width: 1920, height: 1080 }, { maxTiles: 6 })).toBe(3 * 256);
  });
});

describe('generic profile', () => {
  it('keeps the original frame and boxes, clamped to the image', () => {
    expect(genericProfile.imageFrame(image)).toEqual(image);
    expect(genericProfile.imageTokens(image)).toBeNull();
    expect(genericProfile.fromModelBox([-5, 10, 2000, 20.5], image)).toEqual([0, 10, 1000, 20.5]);
    expect(genericProfile.toModelBox([1.4, 2.6, 3, 4], image)).toEqual([1, 3, 3, 4]);
  });
});

describe('box conversions for every profile', () => {
  const boxes: Box[] = [
    [0, 0, 1000, 630],
    [12.3, 45.6, 78.9, 101.2],
    [333, 111, 334, 112],
    [999, 629, 1000, 630],
  ];

  for (const profile of listProfiles()) {
    it(`round-trips original → model → original within half a model unit (${profile.name})`, () => {
      const modelFrame = profile.boxConvention === 'absolute-resized' ? profile.imageFrame(image) : profile.boxConvention === 'relative-1000' ? { width: 1000, height: 1000 } : image;
      // Seed1.5-VL writes 0–999 of a 1000 scale, so the far edge of the image loses one whole unit.
      const units = profile.boxSyntax === 'seed-bbox' ? 1 : 0.5;
      const toleranceX = (units * image.width) / modelFrame.width + 1e-9;
      const toleranceY = (units * image.height) / modelFrame.height + 1e-9;
      for (const box of boxes) {
        const back = profile.fromModelBox(profile.toModelBox(box, image), image);
        for (const index of [0, 2] as const) {
          expect(Math.abs(back[index] - box[index]), `${profile.name} x of ${box.join(',')}`).toBeLessThanOrEqual(toleranceX);
        }
        for (const index of [1, 3] as const) {
          expect(Math.abs(back[index] - box[index]), `${profile.name} y of ${box.join(',')}`).toBeLessThanOrEqual(toleranceY);
        }
      }
    });

    it(`orders swapped corners and clamps model boxes into the image (${profile.name})`, () => {
      const outside = profile.fromModelBox([5000, 5000, -10, -10], image);
      expect(outside).toEqual([0, 0, image.width, image.height]);
    });
  }
});

describe('profile registry', () => {
  it('finds profiles by name and rejects unknown names with the known list', () => {
    expect(getProfile('qwen3-vl')).toBe(qwen3VlProfile);
    expect(getProfile('InternVL3.5')).toBe(internvl35Profile);
    let caught: unknown;
    try {
      getProfile('llava');
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) ? caught.code : 'no MmevolveError').toBe('unsupported-model');
    expect(isMmevolveError(caught) ? caught.hint : '').toContain(
      'qwen2.5-vl, qwen3-vl, internvl3.5, glm-4.5v, mimo-vl, keye-vl, ernie-4.5-vl, seed1.5-vl, neo, generic',
    );
  });

  it('detects profiles from model ids in the formats servers report', () => {
    expect(detectProfile('Qwen/Qwen2.5-VL-7B-Instruct')).toBe(qwen25VlProfile);
    expect(detectProfile('qwen2.5vl:7b')).toBe(qwen25VlProfile);
    expect(detectProfile('Qwen2_5_VL-72B-AWQ')).toBe(qwen25VlProfile);
    expect(detectProfile('Qwen3-VL-8B-Instruct')).toBe(qwen3VlProfile);
    expect(detectProfile('qwen/qwen3-vl-30b-a3b-instruct-fp8')).toBe(qwen3VlProfile);
    expect(detectProfile('OpenGVLab/InternVL3_5-8B')).toBe(internvl35Profile);
    expect(detectProfile('internvl3.5:4b')).toBe(internvl35Profile);
    expect(detectProfile('OpenGVLab/InternVL3-8B')).toBe(internvl35Profile);
  });

  it('does not guess for unrelated or differently-behaving models', () => {
    expect(detectProfile('Qwen/Qwen2-VL-7B-Instruct')).toBeNull();
    expect(detectProfile('meta-llama/Llama-3.2-11B-Vision')).toBeNull();
    expect(detectProfile('OpenGVLab/InternVL2-8B')).toBeNull();
  });

  it('resolves a profile name or a model id and errors on anything else', () => {
    expect(resolveProfile('generic')).toBe(genericProfile);
    expect(resolveProfile('Qwen/Qwen2.5-VL-3B-Instruct')).toBe(qwen25VlProfile);
    expect(() => resolveProfile('gpt-4o')).toThrow(/no model profile/);
  });
});
