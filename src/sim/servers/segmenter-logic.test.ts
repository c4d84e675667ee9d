import { describe, expect, it } from 'vitest';
import type { Mask } from '../../core/index.js';
import { createNoiseModel, resolveSimConfig } from '../noise/index.js';
import { perceiveObjects } from '../perception/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { createRng, generateScene, renderScene } from '../world/index.js';
import { segmentText } from './segmenter-logic.js';
import { sceneFixture } from './test-support.js';

const DRAWS = 2000;
/** 4 binomial standard deviations at p = 0.5 and 2,000 draws is 0.045. */
const TOLERANCE = 0.045;

const oracle = createNoiseModel(resolveSimConfig({}, { preset: 'oracle' }).noise);

/** A scene with an object whose shape (and look-alike shape) nothing else has, so its prompt names one instance. */
function sceneWithLoneShape(): { objects: PerceivedObject[]; target: number; size: { width: number; height: number } } {
  const lookAlike: Record<string, string> = { square: 'rectangle', rectangle: 'square', circle: 'ring', ring: 'circle' };
  for (let seed = 5; seed < 200; seed += 1) {
    const rendered = renderScene(generateScene(seed, { width: 320, height: 240, minObjects: 4, maxObjects: 6, occlusion: 0 }));
    const objects = perceiveObjects(rendered.image);
    const target = objects.findIndex(
      (object, index) => object.area > 200 && objects.every((other, otherIndex) => otherIndex === index || (other.shape !== object.shape && other.shape !== lookAlike[object.shape])),
    );
    if (target >= 0) return { objects, target, size: { width: rendered.image.width, height: rendered.image.height } };
  }
  throw new Error('no scene with a lone shape in seeds 5–199');
}

function iou(a: Mask | undefined, b: Mask | undefined): number {
  let inter = 0;
  let union = 0;
  const length = a?.data.length ?? b?.data.length ?? 0;
  for (let pixel = 0; pixel < length; pixel += 1) {
    const x = a?.data[pixel] ?? 0;
    const y = b?.data[pixel] ?? 0;
    if (x !== 0 && y !== 0) inter += 1;
    if (x !== 0 || y !== 0) union += 1;
  }
  return union === 0 ? 1 : inter / union;
}

describe('simulated segmenter noise', () => {
  it('misses, adds spurious instances and disturbs boundaries at the configured rates', () => {
    const noise = createNoiseModel(
      resolveSimConfig({ preset: 'oracle', noise: { segmenter: { missRate: 0.2, spuriousRate: 0.1, boundaryRate: 0.3, boundaryPixels: 2, scoreNoise: 0.05 } } }).noise,
    );
    const { objects, target, size } = sceneWithLoneShape();
    const object = objects[target];
    const phrase = `${object?.colour ?? ''} ${object?.shape ?? ''}`;
    const truth = object?.pixels ?? new Int32Array(0);
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

describe('simulated segmenter as a concept segmenter', () => {
  it('returns every instance of a named category, each with its own confidence', () => {
    for (let seed = 0; seed < 100; seed += 1) {
      const fixture = sceneFixture(seed, { width: 320, height: 240 });
      const objects = perceiveObjects(fixture.rendered.image);
      const shape = objects.find((object, index) => objects.some((other, otherIndex) => otherIndex !== index && other.shape === object.shape))?.shape;
      if (shape === undefined) continue;
      const size = { width: fixture.rendered.image.width, height: fixture.rendered.image.height };
      const instances = segmentText(`the leftmost ${shape}`, objects, size, oracle, createRng(seed)).filter((instance) => instance.confidence > 0.5);
      const expected = objects.filter((object) => object.shape === shape);
      expect(instances.length, `"the leftmost ${shape}" in scene ${seed}: every ${shape}, not one`).toBe(expected.length);
      for (const object of expected) {
        expect(
          instances.some((instance) => object.pixels.every((pixel) => instance.mask.data[pixel] === 1)),
          `scene ${seed}: a ${object.colour} ${shape} has its own instance`,
        ).toBe(true);
      }
      return;
    }
    throw new Error('no scene with two objects of one shape in seeds 0–99');
  });

  it('answers a raw multi-step query like a concept segmenter: near-perfect on plain phrases, far lower on 2–3 step queries', () => {
    const totals = { plain: { sum: 0, count: 0 }, multi: { sum: 0, count: 0 } };
    for (let seed = 3000; seed < 3070; seed += 1) {
      const fixture = sceneFixture(seed, { sentenceRate: 0.5, width: 320, height: 240 });
      const target = fixture.query.targetIndex;
      if (target === null || (fixture.query.steps > 0 && fixture.query.steps < 2)) continue;
      const objects = perceiveObjects(fixture.rendered.image);
      const size = { width: fixture.rendered.image.width, height: fixture.rendered.image.height };
      const best = segmentText(fixture.query.query, objects, size, oracle, createRng(seed))
        .filter((instance) => instance.confidence >= 0.5)
        .sort((a, b) => b.confidence - a.confidence)[0];
      const bucket = fixture.query.steps === 0 ? totals.plain : totals.multi;
      bucket.sum += iou(best?.mask, fixture.rendered.instanceMasks[target]);
      bucket.count += 1;
    }
    expect(totals.plain.count, 'plain phrases sampled').toBeGreaterThan(12);
    expect(totals.multi.count, 'multi-step queries sampled').toBeGreaterThan(12);
    const plain = totals.plain.sum / totals.plain.count;
    const multi = totals.multi.sum / totals.multi.count;
    expect(plain, 'a plain colour+shape phrase is what SAM 3 segments well').toBeGreaterThan(0.85);
    expect(multi, 'the top instance of a 2–3 step query is right only by chance').toBeLessThan(0.5);
  });
});
