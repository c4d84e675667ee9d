/**
 * What the simulated SAM 3 returns for one prompt on one perceived image. A text prompt is read as a
 * concept (concept-prompt.ts: category, colour, size, texture; relations, ordinals and clauses ignored)
 * and every perceived object it admits is an instance with its own confidence (concept-match.ts). Box
 * prompts return the dominant component inside the box. Noise: missed and spurious instances, boundary
 * erosion/dilation, score noise.
 */
import type { Box, Mask } from '../../core/index.js';
import type { NoiseModel } from '../noise/index.js';
import { gaussian } from '../noise/index.js';
import { encodeRleCounts } from '../../vision/index.js';
import { objectMask, objectRleCounts } from '../perception/index.js';
import type { PerceivedObject } from '../perception/index.js';
import type { Rng } from '../world/index.js';
import { conceptConfidences } from './concept-match.js';
import { parseConceptPrompt } from './concept-prompt.js';
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

/** Base confidences of a box-prompted instance and of a spurious one (text confidences: concept-match.ts). */
const CONFIDENCE_BOX = 0.9;
const CONFIDENCE_SPURIOUS = 0.45;

/** An object the prompt admits, with its confidence before score noise. */
export interface Candidate {
  readonly index: number;
  readonly base: number;
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

export function instancesFor(candidates: readonly Candidate[], objects: readonly PerceivedObject[], size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const { missRate, spuriousRate, scoreNoise } = noise.config.segmenter;
  const instances: SimInstance[] = [];
  const indices = candidates.map((candidate) => candidate.index);
  for (const { index, base } of candidates) {
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

/** A prompt that names no concept ("the one on the left") finds nothing, as SAM 3's presence head says. */
export function segmentText(text: string, objects: readonly PerceivedObject[], size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const prompt = parseConceptPrompt(text);
  if (prompt.terms.length === 0) return [];
  const confidences = conceptConfidences(prompt, objects, size.width * size.height);
  const candidates = confidences.flatMap((base, index) => (base > 0 ? [{ index, base }] : []));
  return instancesFor(candidates, objects, size, noise, rng);
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
  return instancesFor(
    indices.map((index) => ({ index, base: CONFIDENCE_BOX })),
    objects,
    size,
    noise,
    rng,
  );
}
