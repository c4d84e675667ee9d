import { describe, expect, it } from 'vitest';
import { glm4vSmartResize, keyePipelineResize, keyeProcessorSmartResize, qwenVlUtilsSmartResize } from './resize-rules.js';

// Every expected size below is worked out by hand from the upstream function (the steps are in the comments).
const GLM_BOUNDS = { minPixels: 112 * 112, maxPixels: 28 * 28 * 15000 };

describe('GLM-4.5V resize (transformers image_processing_glm4v.py smart_resize, num_frames = 2)', () => {
  it('rounds each side to 28 half to even when 2·h·w is within the bounds', () => {
    // 630/28 = 22.5 → 22 → 616; 1000/28 = 35.7 → 36 → 1008; 2·616·1008 = 1241856 within [12544, 11760000].
    expect(glm4vSmartResize(630, 1000, GLM_BOUNDS)).toEqual({ height: 616, width: 1008 });
  });

  it('downscales against twice the pixel count, so an image keeps at most half of longest_edge', () => {
    // 2800×4000 → 2996·4004·2 > 11760000; beta = √(2·2800·4000 / 11760000) = 1.38013;
    // 2800/1.38013/28 = 72.46 → 72 → 2016; 4000/1.38013/28 = 103.51 → 103 → 2884.
    expect(glm4vSmartResize(2800, 4000, GLM_BOUNDS)).toEqual({ height: 2016, width: 2884 });
  });

  it('first scales a side under 28 up, truncating like int(), then applies the minimum', () => {
    // 50×20: scale = max(28/50, 28/20) = 1.4 → 70×28; 70/28 = 2.5 → 2 → 56, 28 → 28; 2·56·28 = 3136 < 12544;
    // beta = √(12544 / (2·70·28)) = 1.78885; ceil(70·1.78885/28 = 4.47) = 5 → 140; ceil(1.79) = 2 → 56.
    expect(glm4vSmartResize(50, 20, GLM_BOUNDS)).toEqual({ height: 140, width: 56 });
  });

  it('refuses aspect ratios above 200 with an invalid-input error', () => {
    expect(() => glm4vSmartResize(28, 6000, GLM_BOUNDS)).toThrow(/aspect ratio/);
  });
});

describe('Keye-VL resize (keye-vl-utils, then image_processing_keye.py)', () => {
  const bounds = { minPixels: 3136, maxPixels: 1003520 };

  it('sets a side under 28 to 28 and scales the other with Python round', () => {
    // 20×300: height 20 < 28 → width = round(300·28/20) = 420, height = 28; 28·420 = 11760 within bounds.
    expect(keyeProcessorSmartResize(20, 300, bounds)).toEqual({ height: 28, width: 420 });
  });

  it('resizes twice: keye-vl-utils to the 28 grid, then the processor to its 1003520-pixel cap', () => {
    // Pass 1 (qwen-vl-utils, ≤ 16384·28²): 1080/28 = 38.6 → 39 → 1092; 1920/28 = 68.6 → 69 → 1932.
    // Pass 2: 1092·1932 = 2109744 > 1003520; beta = √(2109744/1003520) = 1.44995;
    // 1092/1.44995/28 = 26.90 → 26 → 728; 1932/1.44995/28 = 47.59 → 47 → 1316.
    expect(keyePipelineResize(1080, 1920, bounds)).toEqual({ height: 728, width: 1316 });
  });
});

describe("qwen-vl-utils' smart_resize (MiMo-VL, NEO, Seed1.5-VL cookbook)", () => {
  it('keeps a side of at least one factor where the transformers rule would round it to 0', () => {
    // 300×10, factor 28: max(28, round(10/28 = 0.36)·28 = 0) = 28; round(300/28 = 10.7) = 11 → 308; 8624 ≥ 3136.
    expect(qwenVlUtilsSmartResize(28)(300, 10, { minPixels: 3136, maxPixels: 12845056 })).toEqual({ height: 308, width: 28 });
  });

  it("reproduces MiMo-VL's grounding notebook: 540×599 → 532×588", () => {
    // 599/28 = 21.4 → 21 → 588; 540/28 = 19.3 → 19 → 532 (printed by examples/grounding.ipynb).
    expect(qwenVlUtilsSmartResize(28)(599, 540, { minPixels: 3136, maxPixels: 12845056 })).toEqual({ height: 588, width: 532 });
  });
});
