import { describe, expect, it } from 'vitest';
import { internvl35Profile, qwen25VlProfile } from '../../protocols/index.js';
import { downscaleImage } from '../../vision/index.js';
import { generateScene, renderScene } from '../world/index.js';
import type { ObjectView } from '../world/index.js';
import { equivalentDiameter, limitAcuity, patchSide, tokenSide } from './acuity.js';
import { perceiveObjects } from './perceive-objects.js';
import type { PerceivedObject } from './perceive-objects.js';

function object(shape: PerceivedObject['shape'], area: number): PerceivedObject {
  return { shape, colour: 'red', box: [0, 0, 10, 10], centroid: [5, 5], area, occluded: false, pixels: new Int32Array(area) };
}

/** Perceived objects matched to ground truth by centroid (scaled to the perceived image). */
function shapesRight(truth: readonly ObjectView[], seen: readonly PerceivedObject[], scale: number): number {
  let right = 0;
  for (const expected of truth) {
    const [x, y] = [expected.centroid[0] * scale, expected.centroid[1] * scale];
    const match = seen.find((candidate) => Math.hypot(candidate.centroid[0] - x, candidate.centroid[1] - y) < Math.max(3, 0.3 * Math.sqrt(expected.area) * scale));
    if (match?.shape === expected.shape) right += 1;
  }
  return right;
}

describe('simulated MLLM acuity', () => {
  it('measures a Qwen2.5-VL patch as 14 received pixels and a token as 28; InternVL patches shrink as tiles enlarge the image', () => {
    expect(patchSide(qwen25VlProfile, { width: 448, height: 336 })).toBeCloseTo(14, 5);
    expect(tokenSide(qwen25VlProfile, { width: 448, height: 336 })).toBeCloseTo(28, 5);
    // 640×480 goes into 12 tiles of 448 px (4×3): 160 received pixels per tile, 32 patches and 16 tokens across.
    expect(patchSide(internvl35Profile, { width: 640, height: 480 })).toBeCloseTo(5, 5);
    expect(tokenSide(internvl35Profile, { width: 640, height: 480 })).toBeCloseTo(10, 5);
  });

  it('reads an object narrower than one patch as a circle and leaves larger ones alone', () => {
    const small = equivalentDiameter(120);
    expect(small, 'a 120-pixel star is about 12 px across').toBeLessThan(14);
    const [tinyStar, bigStar] = limitAcuity([object('star', 120), object('star', 400)], 14);
    expect(tinyStar?.shape).toBe('circle');
    expect(bigStar?.shape).toBe('star');
  });

  it('changes no SynthWorld shape at full resolution, and loses shapes when the same scenes arrive with a quarter of the pixels', () => {
    let objects = 0;
    let fullRight = 0;
    let fullRightWithAcuity = 0;
    let quarterRight = 0;
    for (let seed = 500; seed < 520; seed += 1) {
      const rendered = renderScene(generateScene(seed));
      const { image } = rendered;
      objects += rendered.objects.length;
      const full = perceiveObjects(image);
      fullRight += shapesRight(rendered.objects, full, 1);
      fullRightWithAcuity += shapesRight(rendered.objects, limitAcuity(full, patchSide(qwen25VlProfile, image)), 1);
      const quarter = downscaleImage(image, Math.round(image.width / 2), Math.round(image.height / 2));
      const seenQuarter = limitAcuity(perceiveObjects(quarter), patchSide(qwen25VlProfile, quarter));
      quarterRight += shapesRight(rendered.objects, seenQuarter, quarter.width / image.width);
    }
    expect(fullRightWithAcuity, `full resolution: ${fullRight} shapes right without the acuity limit, ${fullRightWithAcuity} with it, of ${objects}`).toBe(fullRight);
    expect(quarterRight, `quarter pixels: ${quarterRight} shapes right vs ${fullRight} at full, of ${objects}`).toBeLessThan(fullRight);
  });
});
