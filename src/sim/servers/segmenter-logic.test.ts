import { describe, expect, it } from 'vitest';
import { createNoiseModel, resolveSimConfig } from '../noise/index.js';
import { perceiveObjects } from '../perception/index.js';
import { canonicalPhrase, createRng, generateScene, renderScene } from '../world/index.js';
import { segmentText } from './segmenter-logic.js';

const DRAWS = 2000;
/** 4 binomial standard deviations at p = 0.5 and 2,000 draws is 0.045. */
const TOLERANCE = 0.045;

describe('simulated segmenter noise', () => {
  it('misses, adds spurious instances and disturbs boundaries at the configured rates', () => {
    const noise = createNoiseModel(
      resolveSimConfig({ preset: 'oracle', noise: { segmenter: { missRate: 0.2, spuriousRate: 0.1, boundaryRate: 0.3, boundaryPixels: 2, scoreNoise: 0.05 } } }).noise,
    );
    const rendered = renderScene(generateScene(5, { width: 320, height: 240, minObjects: 4, maxObjects: 6, occlusion: 0 }));
    const objects = perceiveObjects(rendered.image);
    const target = objects.findIndex((object) => object.area > 200);
    expect(target, 'scene has an object to segment').toBeGreaterThanOrEqual(0);
    const phrase = canonicalPhrase(objects, target);
    const size = { width: rendered.image.width, height: rendered.image.height };
    const truth = objects[target]?.pixels ?? new Int32Array(0);
    let missed = 0;
    let spurious = 0;
    let disturbed = 0;
    let kept = 0;
    for (let seed = 0; seed < DRAWS; seed += 1) {
      const instances = segmentText(phrase, objects, size, noise, createRng(seed));
      const own = instances.find((instance) => instance.confidence > 0.7);
      if (own === undefined) missed += 1;
      else {
        kept += 1;
        const area = own.mask.data.reduce((sum, value) => sum + value, 0);
        if (area !== truth.length || !truth.every((pixel) => own.mask.data[pixel] === 1)) disturbed += 1;
      }
      if (instances.some((instance) => instance.confidence < 0.7)) spurious += 1;
    }
    expect(Math.abs(missed / DRAWS - 0.2), `miss rate ${missed / DRAWS}`).toBeLessThan(TOLERANCE);
    expect(Math.abs(spurious / DRAWS - 0.1), `spurious rate ${spurious / DRAWS}`).toBeLessThan(TOLERANCE);
    expect(Math.abs(disturbed / kept - 0.3), `boundary rate ${disturbed / kept}`).toBeLessThan(TOLERANCE);
  });
});
