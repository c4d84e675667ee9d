/**
 * Box exemplars as SAM 3's concept model reads them (roboflow/inference, inference/core/entities/requests/
 * sam3.py, Sam3Prompt.boxes: "the model segments every instance matching the exemplars … not just the boxed
 * objects"; 0/false labels mark objects to exclude). The simulated reading: an exemplar stands for the
 * object that dominates its box, and "matching" means the same colour and shape, so same-class
 * distractors come back too. SIMULATED.
 */
import type { Box } from '../../core/index.js';
import type { NoiseModel } from '../noise/index.js';
import type { PerceivedObject } from '../perception/index.js';
import type { Rng } from '../world/index.js';
import { dominantInBox, instancesFor } from './segmenter-logic.js';
import type { SimInstance } from './segmenter-logic.js';

/** Same confidence as a boxed object in segmenter-logic (CONFIDENCE_BOX). */
const CONFIDENCE_EXEMPLAR = 0.9;

function sameClass(left: PerceivedObject, right: PerceivedObject): boolean {
  return left.colour === right.colour && left.shape === right.shape;
}

/** Every object like a positive exemplar's object and unlike every negative one's, boxed objects first. */
export function exemplarMatches(boxes: readonly Box[], labels: readonly boolean[], objects: readonly PerceivedObject[], width: number): number[] {
  const positives: number[] = [];
  const negatives: number[] = [];
  boxes.forEach((box, position) => {
    const index = dominantInBox(box, objects, width);
    if (index === undefined) return;
    (labels[position] === false ? negatives : positives).push(index);
  });
  const excluded = (object: PerceivedObject): boolean => negatives.some((index) => {
    const negative = objects[index];
    return negative !== undefined && sameClass(object, negative);
  });
  const matches: number[] = [];
  for (const index of positives) if (!matches.includes(index)) matches.push(index);
  objects.forEach((object, index) => {
    if (matches.includes(index) || excluded(object)) return;
    if (positives.some((positive) => { const exemplar = objects[positive]; return exemplar !== undefined && sameClass(object, exemplar); })) matches.push(index);
  });
  return matches.filter((index) => { const object = objects[index]; return object !== undefined && !excluded(object); });
}

export function segmentExemplars(boxes: readonly Box[], labels: readonly boolean[], objects: readonly PerceivedObject[], size: { width: number; height: number }, noise: NoiseModel, rng: Rng): SimInstance[] {
  const candidates = exemplarMatches(boxes, labels, objects, size.width).map((index) => ({ index, base: CONFIDENCE_EXEMPLAR }));
  return instancesFor(candidates, objects, size, noise, rng);
}
