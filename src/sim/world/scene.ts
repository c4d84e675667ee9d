/**
 * generateScene(seed): a deterministic procedural scene. Layout rules keep the ground truth honest for a
 * pixel-based perceiver: objects lie fully inside the canvas; same-coloured objects never touch (so
 * colour components separate them); an occluded object keeps at least MIN_VISIBLE_FRACTION of its pixels
 * in one 8-connected piece. Some objects sit inside a ring's hole (the "inside" relation).
 */
import { rasterizeLabels } from './render.js';
import { createRng } from './rng.js';
import type { Rng } from './rng.js';
import type { Scene, SceneBackground, SceneObject } from './scene-types.js';
import { RING_INNER_RATIO, polygonBounds, shapePolygon } from './shapes.js';
import type { Point } from './shapes.js';
import { visibleStatistics } from './visibility.js';
import { BACKGROUND_COLOURS, BACKGROUND_NOISE_AMPLITUDE, COLOUR_NAMES, SHAPES } from './vocabulary.js';
import type { ColourName, ShapeKind } from './vocabulary.js';

export interface SceneOptions {
  readonly minObjects?: number;
  readonly maxObjects?: number;
  /** Fixed canvas size; random 320–1024 per side (aspect ≤ 2) when omitted. */
  readonly width?: number;
  readonly height?: number;
  /** Probability that a new object may overlap earlier ones (default 0.3). */
  readonly occlusion?: number;
}

export const MIN_VISIBLE_FRACTION = 0.5;
const MIN_RADIUS = 16;
const CANVAS_MARGIN = 3;
/** Gap in pixels between boxes of same-coloured objects (and of non-overlapping placements). */
const SAME_COLOUR_GAP = 3;
const ATTEMPTS_PER_OBJECT = 40;

export function generateScene(seed: number, options: SceneOptions = {}): Scene {
  const rng = createRng(seed);
  const [width, height] = canvasSize(rng, options);
  const background = chooseBackground(rng);
  const count = rng.int(options.minObjects ?? 3, options.maxObjects ?? 10);
  const occlusion = options.occlusion ?? 0.3;
  const objects: SceneObject[] = [];
  for (let index = 0; index < count; index += 1) {
    for (let attempt = 0; attempt < ATTEMPTS_PER_OBJECT; attempt += 1) {
      const candidate = proposeObject(rng, width, height, objects);
      if (candidate !== null && fits(candidate.object, objects, width, height, candidate.mayOverlap || rng.chance(occlusion))) {
        objects.push(candidate.object);
        break;
      }
    }
  }
  return { seed, width, height, background, objects };
}

function canvasSize(rng: Rng, options: SceneOptions): [number, number] {
  for (;;) {
    const width = options.width ?? rng.int(320, 1024);
    const height = options.height ?? rng.int(320, 1024);
    if (Math.max(width, height) / Math.min(width, height) <= 2 || options.width !== undefined || options.height !== undefined) {
      return [width, height];
    }
  }
}

function chooseBackground(rng: Rng): SceneBackground {
  const kind = rng.pick(['flat', 'gradient', 'noise'] as const);
  const colour = rng.pick(BACKGROUND_COLOURS);
  if (kind === 'flat') return { kind, colour };
  if (kind === 'gradient') {
    const to = rng.pick(BACKGROUND_COLOURS.filter((other) => other !== colour));
    return { kind, from: colour, to, direction: rng.pick(['horizontal', 'vertical', 'diagonal'] as const) };
  }
  return { kind, colour, amplitude: BACKGROUND_NOISE_AMPLITUDE, seed: rng.int(0, 2 ** 31) };
}

function proposeObject(
  rng: Rng,
  width: number,
  height: number,
  objects: readonly SceneObject[],
): { object: SceneObject; mayOverlap: boolean } | null {
  const rings = objects.filter((object) => object.shape === 'ring' && object.radius * RING_INNER_RATIO >= 24);
  const hostRing = rings.length > 0 && rng.chance(0.35) ? rng.pick(rings) : undefined;
  const shape: ShapeKind = rng.pick(hostRing === undefined ? SHAPES : SHAPES.filter((kind) => kind !== 'ring'));
  const colours = hostRing === undefined ? COLOUR_NAMES : COLOUR_NAMES.filter((name) => name !== hostRing.colour);
  const colour: ColourName = rng.pick(colours);
  const maxRadius = Math.max(MIN_RADIUS + 4, Math.min(width, height) * 0.17);
  const radius = hostRing === undefined ? rng.real(MIN_RADIUS, maxRadius) : hostRing.radius * RING_INNER_RATIO * 0.6;
  const aspect = shape === 'rectangle' ? rng.real(1.6, 2.2) : 1;
  const rotation = shape === 'circle' || shape === 'ring' ? 0 : rng.real(0, 2 * Math.PI);
  const centre: Point =
    hostRing?.centre ??
    [rng.int(Math.ceil(radius) + CANVAS_MARGIN, width - Math.ceil(radius) - CANVAS_MARGIN - 1),
      rng.int(Math.ceil(radius) + CANVAS_MARGIN, height - Math.ceil(radius) - CANVAS_MARGIN - 1)];
  const geometry = { shape, centre, radius, rotation, aspect };
  const polygon = shapePolygon(geometry);
  return { object: { ...geometry, colour, polygon }, mayOverlap: hostRing !== undefined };
}

function fits(candidate: SceneObject, objects: readonly SceneObject[], width: number, height: number, mayOverlap: boolean): boolean {
  const box = polygonBounds(candidate.polygon);
  if (box[0] < CANVAS_MARGIN || box[1] < CANVAS_MARGIN || box[2] > width - CANVAS_MARGIN || box[3] > height - CANVAS_MARGIN) {
    return false;
  }
  const touched: number[] = [];
  for (const [index, other] of objects.entries()) {
    const gap = boxGap(box, polygonBounds(other.polygon));
    if (gap >= SAME_COLOUR_GAP) continue;
    if (other.colour === candidate.colour || !mayOverlap) return false;
    touched.push(index);
  }
  if (touched.length === 0) return true;
  const all = [...objects, candidate];
  const labels = rasterizeLabels(width, height, all);
  // Only objects near the candidate can lose pixels to it; the others were checked when placed.
  const statistics = visibleStatistics(labels, all, [...touched, objects.length]);
  return statistics.every((entry) => entry.components === 1 && entry.visible >= MIN_VISIBLE_FRACTION * entry.full);
}

/** Chebyshev gap between two pixel-edge boxes; negative or zero when they overlap or touch. */
function boxGap(a: readonly number[], b: readonly number[]): number {
  const horizontal = Math.max((b[0] ?? 0) - (a[2] ?? 0), (a[0] ?? 0) - (b[2] ?? 0));
  const vertical = Math.max((b[1] ?? 0) - (a[3] ?? 0), (a[1] ?? 0) - (b[3] ?? 0));
  return Math.max(horizontal, vertical);
}
