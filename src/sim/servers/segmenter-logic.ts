/**
 * What the simulated SAM 3 returns for one prompt on one perceived image. Text prompts are parsed for
 * colour, shape and relational words (phraseToSpec) and resolved on the perceived objects: concept
 * prompts return every match, vague ones ("object", "thing") every object at low confidence. Box
 * prompts return the dominant component inside the box. Noise: missed and spurious instances, boundary
 * erosion/dilation, score noise.
 */
import type { Box, Mask } from '../../core/index.js';
import type { NoiseModel } from '../noise/index.js';
import { gaussian } from '../noise/index.js';
import { encodeRleCounts } from '../../vision/index.js';
import { objectMask, objectRleCounts } from '../perception/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { phraseToSpec, resolveQuery } from '../world/index.js';
import type { QuerySpec, Rng } from '../world/index.js';
import { morph } from './morphology.js';

export interface SimInstance {
  /** The instance's mask, built on first read. */
  readonly mask: Mask;
  /** COCO-order run lengths of `mask`; an undisturbed object's come from its pixels, never building the mask (issue 4). */
  rleCounts(): number[];
  confidence: number;
}

/** An instance that is exactly an object's visible pixels. */
function pixelInstance(pixels: Int32Array, size: { width: number; height: number }, confidence: number): SimInstance {
  let mask: Mask | undefined;
  return {
    get mask() {
      return (mask ??= objectMask(size.width, size.height, pixels));
    },
    rleCounts: () => (mask === undefined ? objectRleCounts(size.width, size.height, pixels) : encodeRleCounts(mask)),
    confidence,
  };
}

function maskInstance(mask: Mask, confidence: number): SimInstance {
  return { mask, rleCounts: () => encodeRleCounts(mask), confidence };
}

/** Base confidences: a named concept, one with an ordinal or relation (harder for SAM), a vague noun. */
const CONFIDENCE_CONCEPT = 0.93;
const CONFIDENCE_RELATIONAL = 0.78;
const CONFIDENCE_VAGUE = 0.55;
const CONFIDENCE_BOX = 0.9;
const CONFIDENCE_SPURIOUS = 0.45;

function baseConfidence(spec: QuerySpec): number {
  const filter = spec.target;
  const vague = filter.colour === undefined && filter.shape === undefined && filter.trait === undefined && filter.corners === undefined;
  if (vague) return CONFIDENCE_VAGUE;
  return spec.ordinal !== undefined || spec.relation !== undefined ? CONFIDENCE_RELATIONAL : CONFIDENCE_CONCEPT;
}

function clampScore(score: number): number {
  return Math.min(0.99, Math.max(0.01, score));
}

/** Boundary noise: a radius to erode (< 0) or dilate (> 0) the mask by, or 0 to leave it. */
function disturbance(noise: NoiseModel, rng: Rng): number {
  const { boundaryRate, boundaryPixels } = noise.config.segmenter;
  if (boundaryPixels === 0 || !rng.chance(boundaryRate)) return 0;
  return rng.int(1, boundaryPixels) * (rng.chance(0.5) ? 1 : -1);
}

export function instancesFor(indices: readonly number[], objects: readonly PerceivedObject[], base: number, size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const { missRate, spuriousRate, scoreNoise } = noise.config.segmenter;
  const instances: SimInstance[] = [];
  for (const index of indices) {
    if (rng.chance(missRate)) continue;
    const object = objects[index];
    if (object === undefined) continue;
    const radius = disturbance(noise, rng);
    const confidence = clampScore(base + scoreNoise * gaussian(rng));
    instances.push(radius === 0 ? pixelInstance(object.pixels, size, confidence) : maskInstance(morph(objectMask(size.width, size.height, object.pixels), radius, object.box), confidence));
  }
  const others = objects.map((_, index) => index).filter((index) => !indices.includes(index));
  if (others.length > 0 && rng.chance(spuriousRate)) {
    const object = objects[rng.pick(others)];
    if (object !== undefined) {
      instances.push(pixelInstance(object.pixels, size, clampScore(CONFIDENCE_SPURIOUS + scoreNoise * gaussian(rng))));
    }
  }
  return instances;
}

export function segmentText(text: string, objects: readonly PerceivedObject[], size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const spec = phraseToSpec(text);
  if (spec === null) return [];
  return instancesFor(resolveQuery(spec, objects), objects, baseConfidence(spec), size, noise, rng);
}

/** The object with most pixels inside the box (the box's dominant component), if any. */
export function dominantInBox(box: Box, objects: readonly PerceivedObject[], width: number): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  objects.forEach((object, index) => {
    const [ox1, oy1, ox2, oy2] = object.box;
    if (ox2 <= box[0] || ox1 >= box[2] || oy2 <= box[1] || oy1 >= box[3]) return;
    let count = 0;
    for (const pixel of object.pixels) {
      const x = pixel % width;
      const y = (pixel - x) / width;
      if (x + 0.5 > box[0] && x + 0.5 < box[2] && y + 0.5 > box[1] && y + 0.5 < box[3]) count += 1;
    }
    if (count > bestCount) [best, bestCount] = [index, count];
  });
  return best;
}

export function segmentBoxes(boxes: readonly Box[], labels: readonly boolean[], objects: readonly PerceivedObject[], size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const indices: number[] = [];
  boxes.forEach((box, position) => {
    if (labels[position] === false) return;
    const index = dominantInBox(box, objects, size.width);
    if (index !== undefined && !indices.includes(index)) indices.push(index);
  });
  return instancesFor(indices, objects, CONFIDENCE_BOX, size, noise, rng);
}
