/**
 * How a simulated model reads an (image, query): what it believes the target is, and how well it thinks an
 * overlay shows that belief. Everything comes from the perceived objects (src/sim/perception) and the
 * request text; nothing from a scene, a seed or a ground-truth file.
 *
 * A role's belief is drawn from its latent RNG (see TaskContext.latent): with P = misreadingRate(role, D) it
 * takes a distractor for the target, and keeps that misreading in every call about the same image and
 * query. Distractors are what a real model confuses: objects passing the query's own filter but not its
 * relation or ordinal first, then objects of the same category (shape), then of the same colour.
 */
import type { Mask } from '../../core/index.js';
import type { Difficulty, ModelRole } from '../noise/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { filterIndices } from '../world/index.js';
import type { Rng } from '../world/index.js';
import type { SeenImage } from './image-input.js';
import type { QueryView, TaskContext } from './task-context.js';

/** Coverage at which a judge or verifier sees an object as shown by an overlay. */
const SHOWN_COVERAGE = 0.5;

/** What makes this (image, query) hard, as perceived. */
export function perceivedDifficulty(view: QueryView, width: number, height: number): Difficulty {
  const targets = view.targets.flatMap((index) => view.objects[index] ?? []);
  const shapes = new Set(targets.map((object) => object.shape));
  const sameCategory = view.objects.filter((object, index) => !view.targets.includes(index) && shapes.has(object.shape)).length;
  const smallest = targets.length === 0 ? 1 : Math.min(...targets.map((object) => object.area)) / Math.max(1, width * height);
  return { steps: view.steps, occluded: targets.some((object) => object.occluded === true), targetAreaFraction: smallest, sameCategoryDistractors: sameCategory };
}

/** Objects a model mistakes for the target, most plausible first (never a target). */
export function distractorPool(view: QueryView): number[] {
  const others = view.objects.map((_, index) => index).filter((index) => !view.targets.includes(index));
  const filter = view.spec?.target;
  const targetShapes = new Set(view.targets.map((index) => view.objects[index]?.shape));
  const targetColours = new Set(view.targets.map((index) => view.objects[index]?.colour));
  const tiers = [
    filter === undefined ? [] : filterIndices(view.objects, filter).filter((index) => others.includes(index)),
    others.filter((index) => targetShapes.has(view.objects[index]?.shape) || (filter?.shape !== undefined && view.objects[index]?.shape === filter.shape)),
    others.filter((index) => targetColours.has(view.objects[index]?.colour) || (filter?.colour !== undefined && view.objects[index]?.colour === filter.colour)),
    others,
  ];
  return tiers.find((tier) => tier.length > 0) ?? [];
}

/** One distractor from the most plausible tier, or undefined when the image has no other object. */
export function pickDistractor(view: QueryView, rng: Rng): number | undefined {
  const pool = distractorPool(view);
  return pool.length === 0 ? undefined : rng.pick(pool);
}

export interface Belief {
  /** Object indices the model takes for the target ([] = "no such object"). */
  targets: number[];
  misread: boolean;
}

/**
 * The role's latent belief about the query's target: the perceived targets, or (misreading) one distractor.
 * A query whose target is not in view can be misread too: the model then takes a look-alike for it.
 */
export function latentBelief(context: TaskContext, role: ModelRole, raw: SeenImage | undefined, query: string, view: QueryView): Belief {
  const latent = context.latent(role, raw, query);
  const size = raw === undefined ? { width: 1, height: 1 } : { width: raw.image.width, height: raw.image.height };
  if (!context.noise.misreads(latent, role, perceivedDifficulty(view, size.width, size.height))) return { targets: view.targets, misread: false };
  const distractor = pickDistractor(view, latent);
  return distractor === undefined ? { targets: view.targets, misread: false } : { targets: [distractor], misread: true };
}

/**
 * How well an overlay mask shows the believed target, in [0, 1], read at the level a model reads an
 * overlay: the share of each believed object it covers, over the objects it shows or should show, times
 * the share of its pixels that lie on some object (not on background). A 2-pixel boundary difference is
 * invisible at this level; a missing or extra object is not. No target believed: 1 for an empty overlay.
 */
export function overlayQuality(objects: readonly PerceivedObject[], mask: Mask, believed: readonly number[]): number {
  let maskPixels = 0;
  for (const value of mask.data) if (value !== 0) maskPixels += 1;
  if (believed.length === 0) return maskPixels === 0 ? 1 : 0;
  if (maskPixels === 0) return 0;
  let onObjects = 0;
  let covered = 0;
  let union = 0;
  objects.forEach((object, index) => {
    let inside = 0;
    for (const pixel of object.pixels) if (mask.data[pixel] !== 0) inside += 1;
    onObjects += inside;
    const coverage = inside / Math.max(1, object.pixels.length);
    const isBelieved = believed.includes(index);
    if (isBelieved) covered += coverage;
    if (isBelieved || coverage >= SHOWN_COVERAGE) union += 1;
  });
  return (covered / Math.max(1, union)) * (onObjects / maskPixels);
}

/** Foreground pixels of a mask. */
export function maskPixelCount(mask: Mask): number {
  let count = 0;
  for (const value of mask.data) if (value !== 0) count += 1;
  return count;
}
