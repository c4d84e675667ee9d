import { describe, expect, it } from 'vitest';
import type { Box, Size } from '../../core/index.js';
import { formatBoxText, parseBoxText } from './box-text.js';
import { ernie45VlProfile, glm45vProfile, keyeVlProfile, mimoVlProfile, neoProfile, seed15VlProfile } from './family-profiles.js';
import type { ModelProfile } from './model-profile.js';
import { detectProfile, listProfiles } from './registry.js';

const image: Size = { width: 1000, height: 630 };
/** Boxes compared to the cent: 200·0.63 is 126.00000000000001 in doubles. */
const cents = (box: Box): number[] => box.map((value) => Math.round(value * 100) / 100);

/** Size of one model coordinate unit in original pixels, per axis: the rounding the format allows. */
function unit(profile: ModelProfile, size: Size): { x: number; y: number } {
  if (profile.boxConvention === 'absolute-resized') {
    const frame = profile.imageFrame(size);
    return { x: size.width / frame.width, y: size.height / frame.height };
  }
  if (profile.boxConvention === 'relative-1000') return { x: size.width / 1000, y: size.height / 1000 };
  return { x: 1, y: 1 };
}

describe('box round trip through each family’s text form', () => {
  const boxes: Box[] = [
    [12.3, 45.6, 78.9, 101.2],
    [250, 126, 750, 504],
    [0, 0, 998, 629],
  ];
  for (const profile of listProfiles()) {
    it(`our box → ${profile.boxSyntax} text → parsed → original pixels within half a unit (${profile.name})`, () => {
      const { x, y } = unit(profile, image);
      const labelled = boxes.map((box, index) => ({ box: profile.toModelBox(box, image), label: `object ${index}` }));
      const text = formatBoxText(profile.boxSyntax, labelled);
      const parsed = parseBoxText(profile.boxSyntax, text);
      expect(parsed.map((entry) => entry.box), `${profile.name} parses what it writes: ${text}`).toEqual(labelled.map((entry) => entry.box));
      parsed.forEach((entry, index) => {
        const back = profile.fromModelBox(entry.box, image);
        const original = boxes[index] as Box;
        for (const axis of [0, 1, 2, 3] as const) {
          const tolerance = (axis % 2 === 0 ? x : y) / 2 + 1e-9;
          expect(Math.abs(back[axis] - original[axis]), `${profile.name} coordinate ${axis} of box ${index} (${text})`).toBeLessThanOrEqual(tolerance);
        }
      });
    });
  }
});

describe('GLM-4.5V profile', () => {
  it('writes 0–1000 boxes inside <|begin_of_box|>…<|end_of_box|> and reads any bracket style back', () => {
    // 250/1000·1000 = 250, 126/630·1000 = 200, 750 → 750, 504/630·1000 = 800.
    const modelBox = glm45vProfile.toModelBox([250, 126, 750, 504], image);
    expect(modelBox).toEqual([250, 200, 750, 800]);
    expect(formatBoxText('glm-begin-of-box', [{ box: modelBox, label: '' }])).toBe('<|begin_of_box|>[[250,200,750,800]]<|end_of_box|>');
    // GLM-V README: "The bracket style may vary ([], [[]], (), <>, etc.)".
    expect(parseBoxText('glm-begin-of-box', 'The cat is at <|begin_of_box|>(250, 200, 750, 800)<|end_of_box|>.')[0]?.box).toEqual([250, 200, 750, 800]);
    expect(cents(glm45vProfile.fromModelBox([250, 200, 750, 800], image))).toEqual([250, 126, 750, 504]);
  });

  it('reports the glm4v frame and 28-px tokens', () => {
    expect(glm45vProfile.imageInfo(image)).toEqual({ kind: 'patch-grid', resizedWidth: 1008, resizedHeight: 616, grid: [1, 44, 72], imageTokens: 36 * 22 });
    // 4000×2800: 2884×2016 (resize-rules.test.ts) → 103 · 72 tokens.
    expect(glm45vProfile.imageTokens({ width: 4000, height: 2800 })).toBe(103 * 72);
  });
});

describe('MiMo-VL profile', () => {
  it('uses absolute pixels of the factor-28 frame, like Qwen2.5-VL', () => {
    // Notebook image 540×599 → 532×588; a box at the full image maps to the full resized frame.
    const size = { width: 540, height: 599 };
    expect(mimoVlProfile.imageFrame(size)).toEqual({ width: 532, height: 588 });
    expect(mimoVlProfile.toModelBox([0, 0, 540, 599], size)).toEqual([0, 0, 532, 588]);
    // The notebook's first poodle [222, 253, 348, 535] scaled by 540/532 and 599/588.
    expect(cents(mimoVlProfile.fromModelBox([222, 253, 348, 535], size))).toEqual([225.34, 257.73, 353.23, 545.01]);
    expect(mimoVlProfile.imageTokens(size)).toBe(19 * 21);
  });
});

describe('Keye-VL and ERNIE-4.5-VL profiles (no grounding format published)', () => {
  it('say so and fall back to the generic json-box prompt in the frame the model sees', () => {
    for (const profile of [keyeVlProfile, ernie45VlProfile]) {
      expect(profile.grounding, profile.name).toBe('fallback-generic');
      expect(profile.boxSyntax, profile.name).toBe('json-box');
    }
  });

  it('Keye-VL: 1920×1080 → 1316×728, 47·26 tokens (two resizes)', () => {
    expect(keyeVlProfile.imageInfo({ width: 1920, height: 1080 })).toEqual({
      kind: 'patch-grid',
      resizedWidth: 1316,
      resizedHeight: 728,
      grid: [1, 52, 94],
      imageTokens: 47 * 26,
    });
  });

  it('ERNIE-4.5-VL: downscales 3000×2000 to its 6177·28² cap', () => {
    // 2016·2996 > 4842768; beta = √(6000000/4842768) = 1.11309; 2000/1.11309/28 = 64.17 → 64 → 1792;
    // 3000/1.11309/28 = 96.26 → 96 → 2688; tokens 64 · 96.
    expect(ernie45VlProfile.imageFrame({ width: 3000, height: 2000 })).toEqual({ width: 2688, height: 1792 });
    expect(ernie45VlProfile.imageTokens({ width: 3000, height: 2000 })).toBe(64 * 96);
  });
});

describe('Seed1.5-VL profile', () => {
  it('writes <bbox>x1 y1 x2 y2</bbox> relative to 1000 and never beyond 999', () => {
    const modelBox = seed15VlProfile.toModelBox([0, 0, 1000, 630], image);
    expect(modelBox).toEqual([0, 0, 999, 999]);
    expect(formatBoxText('seed-bbox', [{ box: [175, 98, 791, 476], label: '' }])).toBe('<bbox>175 98 791 476</bbox>');
    // Volcano Engine's grounding example answer, mapped as v/1000·side.
    expect(cents(seed15VlProfile.fromModelBox([175, 98, 791, 476], image))).toEqual([175, 61.74, 791, 299.88]);
  });

  it("uses the cookbook's client resize: 3000×2000 → 2436×1624 under 5120·28² pixels", () => {
    // 2016·3024 > 4014080; beta = √(6000000/4014080) = 1.22259; 2000/1.22259/28 = 58.42 → 58 → 1624;
    // 3000/1.22259/28 = 87.64 → 87 → 2436.
    expect(seed15VlProfile.imageFrame({ width: 3000, height: 2000 })).toEqual({ width: 2436, height: 1624 });
    expect(seed15VlProfile.imageTokens({ width: 3000, height: 2000 })).toBe(58 * 87);
  });
});

describe('NEO profile', () => {
  it('upscales to its 1280·32² evaluation minimum with factor 32', () => {
    // 1000/32 = 31.25 → 31 → 992; 630/32 = 19.7 → 20 → 640; 992·640 = 634880 < 1310720; beta = √(1310720/630000) = 1.44240; 630·1.44240/32 = 28.40 → 29 → 928;
    // 1000·1.44240/32 = 45.07 → 46 → 1472.
    expect(neoProfile.imageInfo(image)).toEqual({ kind: 'patch-grid', resizedWidth: 1472, resizedHeight: 928, grid: [1, 58, 92], imageTokens: 46 * 29 });
  });

  it('reads <ref>…</ref><box>[[…]]</box> in 0–1000 like InternVL', () => {
    const parsed = parseBoxText('internvl-box', '<ref>the mug</ref><box>[[100, 200, 300, 400]]</box>');
    expect(parsed).toEqual([{ box: [100, 200, 300, 400], label: 'the mug' }]);
    expect(cents(neoProfile.fromModelBox([100, 200, 300, 400], image))).toEqual([100, 126, 300, 252]);
  });
});

describe('model ids of the new families', () => {
  it('are detected in the forms their hubs and servers use', () => {
    expect(detectProfile('zai-org/GLM-4.5V')).toBe(glm45vProfile);
    expect(detectProfile('zai-org/GLM-4.5V-FP8')).toBe(glm45vProfile);
    expect(detectProfile('THUDM/GLM-4.1V-9B-Thinking')).toBe(glm45vProfile);
    expect(detectProfile('XiaomiMiMo/MiMo-VL-7B-RL')).toBe(mimoVlProfile);
    expect(detectProfile('Kwai-Keye/Keye-VL-8B-Preview')).toBe(keyeVlProfile);
    expect(detectProfile('baidu/ERNIE-4.5-VL-28B-A3B-PT')).toBe(ernie45VlProfile);
    expect(detectProfile('doubao-1-5-thinking-vision-pro-250428')).toBe(seed15VlProfile);
    expect(detectProfile('Seed1.5-VL')).toBe(seed15VlProfile);
    expect(detectProfile('Paranioar/NEO1_0-2B-SFT')).toBe(neoProfile);
  });

  it('are not guessed from look-alike names', () => {
    expect(detectProfile('glm-4-9b-chat')).toBeNull();
    expect(detectProfile('EleutherAI/gpt-neo-1.3B')).toBeNull();
    expect(detectProfile('neon-7b')).toBeNull();
  });
});
