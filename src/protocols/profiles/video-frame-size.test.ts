// Expected sizes computed by hand from qwen-vl-utils fetch_video (cited in video-frame-size.ts).
import { describe, expect, it } from 'vitest';
import { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './index.js';

describe('video frame pixel limits (qwen-vl-utils fetch_video), distinct from the image limits', () => {
  it('caps a 1080p frame of a 10 s Qwen3-VL clip at 768·32² pixels, far below the image bound', () => {
    // 20 frames: budget share 117964800 / 20 · 2 ≫ 786432, so max = 786432; beta = sqrt(1920·1080 / 786432)
    // → h = floor(1080 / 1.6238 / 32)·32 = 640, w = floor(1920 / 1.6238 / 32)·32 = 1152.
    const info = qwen3VlProfile.videoInfo({ width: 1920, height: 1080 }, 20);
    expect(info, 'Qwen3-VL takes video').not.toBeNull();
    expect([info?.frameWidth, info?.frameHeight], 'frame size').toEqual([1152, 640]);
    expect(info?.maxPixels).toBe(786432);
    expect(info?.videoTokens, '10 temporal patches of 36·20 tokens').toBe(7200);
    const image = qwen3VlProfile.imageInfo({ width: 1920, height: 1080 });
    expect(image.kind === 'patch-grid' ? [image.resizedWidth, image.resizedHeight] : [], 'the same picture as an image keeps 1920×1088').toEqual([1920, 1088]);
  });

  it('shares the total budget among 768 frames: 307200 pixels per frame', () => {
    // 117964800 / 768 · 2 = 307200; beta = sqrt(2073600 / 307200) = 2.598 → 384 × 736; 384 patches · 23·12 tokens.
    const info = qwen3VlProfile.videoInfo({ width: 1920, height: 1080 }, 768);
    expect(info?.maxPixels).toBe(307200);
    expect([info?.frameWidth, info?.frameHeight]).toEqual([736, 384]);
    expect(info?.videoTokens).toBe(105984);
    expect(info?.videoTokens, 'within MODEL_SEQ_LEN · 0.9 tokens').toBeLessThanOrEqual(128000 * 0.9);
  });

  it('raises a tiny frame to the per-frame minimum of 128·32² pixels', () => {
    // 64×48: 64·64 < 131072 → beta = sqrt(131072 / 3072) → h = ceil(48·6.532 / 32)·32 = 320, w = ceil(64·6.532 / 32)·32 = 448.
    const info = qwen3VlProfile.videoInfo({ width: 64, height: 48 }, 4);
    expect([info?.frameWidth, info?.frameHeight]).toEqual([448, 320]);
    expect(info?.minPixels).toBe(128 * 32 * 32);
  });

  it('uses factor 28 for Qwen2.5-VL and no video rule for families without one', () => {
    // 90316800 / 768 · 2 = 235200; beta = sqrt(2073600 / 235200) = 2.969 → 336 × 644.
    const info = qwen25VlProfile.videoInfo({ width: 1920, height: 1080 }, 768);
    expect([info?.frameWidth, info?.frameHeight, info?.maxPixels]).toEqual([644, 336, 235200]);
    expect(internvl35Profile.videoInfo({ width: 1920, height: 1080 }, 20)).toBeNull();
    expect(genericProfile.videoInfo({ width: 1920, height: 1080 }, 20)).toBeNull();
  });

  it('rejects a video without frames', () => {
    expect(() => qwen3VlProfile.videoInfo({ width: 640, height: 480 }, 0)).toThrow(/at least one frame/);
  });
});
