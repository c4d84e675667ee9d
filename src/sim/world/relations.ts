/**
 * Spatial relations and ordinals over ObjectView[] (ground truth or perceived alike). Positions are
 * the viewer's: "left" is smaller x in the image. `slack` (pixels) makes a relation stricter when
 * positive and looser when negative, so a generator can demand answers that survive small perception
 * errors (resolve with +slack and −slack must agree).
 */
import type { ObjectView } from './vocabulary.js';

export const ORDINALS = ['leftmost', 'rightmost', 'topmost', 'bottommost', 'largest', 'smallest'] as const;
export type Ordinal = (typeof ORDINALS)[number];

export const RELATIONS = ['left-of', 'right-of', 'above', 'below', 'nearest-to', 'farthest-from', 'inside', 'between'] as const;
export type RelationKind = (typeof RELATIONS)[number];

export function isLeftOf(a: ObjectView, b: ObjectView, slack = 0): boolean {
  return a.box[2] + slack <= b.box[0];
}

export function isAbove(a: ObjectView, b: ObjectView, slack = 0): boolean {
  return a.box[3] + slack <= b.box[1];
}

/** a's box lies within b's box (shrunk by slack) and a is the smaller: an object in a ring's hole or on top of another. */
export function isInside(a: ObjectView, b: ObjectView, slack = 0): boolean {
  return (
    a.area < b.area &&
    a.box[0] >= b.box[0] + slack &&
    a.box[1] >= b.box[1] + slack &&
    a.box[2] <= b.box[2] - slack &&
    a.box[3] <= b.box[3] - slack
  );
}

export function centroidDistance(a: ObjectView, b: ObjectView): number {
  return Math.hypot(a.centroid[0] - b.centroid[0], a.centroid[1] - b.centroid[1]);
}

/**
 * c lies between a and b: its centroid projects onto the middle 80% of the segment from a's centroid to
 * b's, within 30% of the segment's length from the line.
 */
export function isBetween(c: ObjectView, a: ObjectView, b: ObjectView, slack = 0): boolean {
  const dx = b.centroid[0] - a.centroid[0];
  const dy = b.centroid[1] - a.centroid[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) return false;
  const t = ((c.centroid[0] - a.centroid[0]) * dx + (c.centroid[1] - a.centroid[1]) * dy) / (length * length);
  const offset = Math.abs((c.centroid[0] - a.centroid[0]) * dy - (c.centroid[1] - a.centroid[1]) * dx) / length;
  const margin = slack / length;
  return t >= 0.1 + margin && t <= 0.9 - margin && offset <= 0.3 * length - slack;
}

function ordinalKey(ordinal: Ordinal, object: ObjectView): number {
  switch (ordinal) {
    case 'leftmost':
      return object.centroid[0];
    case 'rightmost':
      return -object.centroid[0];
    case 'topmost':
      return object.centroid[1];
    case 'bottommost':
      return -object.centroid[1];
    case 'largest':
      return -object.area;
    case 'smallest':
      return object.area;
  }
}

/**
 * Indices (among `candidates`) that are extreme for the ordinal. With slack > 0, near-ties count as ties
 * (positions within slack px, areas within 2·slack %), so an undecided ordinal returns several indices.
 */
export function selectOrdinal(objects: readonly ObjectView[], candidates: readonly number[], ordinal: Ordinal, slack = 0): number[] {
  if (candidates.length === 0) return [];
  const keys = candidates.map((index) => ordinalKey(ordinal, objects[index] as ObjectView));
  const best = Math.min(...keys);
  const isArea = ordinal === 'largest' || ordinal === 'smallest';
  const tolerance = Math.max(0, isArea ? (Math.abs(best) * 2 * slack) / 100 : slack);
  return candidates.filter((_, position) => (keys[position] ?? Infinity) <= best + tolerance);
}

/** Candidates nearest to (or farthest from) the anchor; with slack > 0, those within slack·5 % also count. */
export function selectByDistance(
  objects: readonly ObjectView[],
  candidates: readonly number[],
  anchor: ObjectView,
  farthest: boolean,
  slack = 0,
): number[] {
  if (candidates.length === 0) return [];
  const distances = candidates.map((index) => centroidDistance(objects[index] as ObjectView, anchor));
  const factor = 1 + Math.max(0, slack) * 0.05;
  if (farthest) {
    const best = Math.max(...distances);
    return candidates.filter((_, position) => (distances[position] ?? 0) * factor >= best);
  }
  const best = Math.min(...distances);
  return candidates.filter((_, position) => (distances[position] ?? Infinity) <= best * factor);
}

/** Rank by visible area, 1 = largest; equal areas share a rank. */
export function areaRanks(objects: readonly ObjectView[]): number[] {
  return objects.map((object) => 1 + objects.filter((other) => other.area > object.area).length);
}

export interface SceneGraphEdge {
  readonly relation: 'left-of' | 'above' | 'inside' | 'nearest-to';
  readonly subject: number;
  readonly object: number;
}

/** The pairwise relations that hold, as edges (left-of and above only one way; nearest-to per object). */
export function sceneGraph(objects: readonly ObjectView[]): SceneGraphEdge[] {
  const edges: SceneGraphEdge[] = [];
  objects.forEach((a, i) => {
    objects.forEach((b, j) => {
      if (i === j) return;
      if (isLeftOf(a, b)) edges.push({ relation: 'left-of', subject: i, object: j });
      if (isAbove(a, b)) edges.push({ relation: 'above', subject: i, object: j });
      if (isInside(a, b)) edges.push({ relation: 'inside', subject: i, object: j });
    });
    const others = objects.map((_, index) => index).filter((index) => index !== i);
    for (const nearest of selectByDistance(objects, others, a, false)) edges.push({ relation: 'nearest-to', subject: nearest, object: i });
  });
  return edges;
}
