/**
 * QuerySpec: the meaning of a referring phrase or reasoning sentence, and its resolution against a list
 * of ObjectViews. The simulated MLLM and segmenter parse text into a spec and resolve it on what they
 * perceive; the world generator resolves it on ground truth.
 */
import { isAbove, isBetween, isInside, isLeftOf, selectByDistance, selectOrdinal } from './relations.js';
import type { Ordinal, RelationKind } from './relations.js';
import { SHAPE_TRAITS } from './vocabulary.js';
import type { ColourName, ObjectView, ShapeKind, TraitName } from './vocabulary.js';

/** Which objects a description admits. An empty filter admits everything ("object", "thing"). */
export interface ObjectFilter {
  readonly colour?: ColourName;
  readonly shape?: ShapeKind;
  readonly trait?: TraitName;
  /** Exact number of corners (SHAPE_TRAITS[shape].corners). */
  readonly corners?: number;
}

export type QueryRelation =
  | { readonly kind: Exclude<RelationKind, 'between'>; readonly anchor: ObjectFilter }
  | { readonly kind: 'between'; readonly anchors: readonly [ObjectFilter, ObjectFilter] };

export interface QuerySpec {
  readonly target: ObjectFilter;
  /** Applied after the relation: "the largest circle left of the star". */
  readonly ordinal?: Ordinal;
  readonly relation?: QueryRelation;
}

export interface ResolveOptions {
  /** Pixels of extra strictness (> 0) or looseness (< 0) for relations and ordinals; default 0. */
  readonly slack?: number;
}

export type { Ordinal, RelationKind };

export function matchesFilter(object: ObjectView, filter: ObjectFilter): boolean {
  const traits = SHAPE_TRAITS[object.shape];
  return (
    (filter.colour === undefined || object.colour === filter.colour) &&
    (filter.shape === undefined || object.shape === filter.shape) &&
    (filter.trait === undefined || traits[filter.trait]) &&
    (filter.corners === undefined || traits.corners === filter.corners)
  );
}

export function filterIndices(objects: readonly ObjectView[], filter: ObjectFilter): number[] {
  return objects.flatMap((object, index) => (matchesFilter(object, filter) ? [index] : []));
}

/**
 * Indices of the objects the spec refers to. Anchors must each match exactly one object (else nothing
 * resolves); ties of an ordinal or a distance return every tied object.
 */
export function resolveQuery(spec: QuerySpec, objects: readonly ObjectView[], options: ResolveOptions = {}): number[] {
  const slack = options.slack ?? 0;
  let candidates = filterIndices(objects, spec.target);
  const relation = spec.relation;
  if (relation !== undefined) {
    const anchorFilters = relation.kind === 'between' ? relation.anchors : [relation.anchor];
    const anchors: number[] = [];
    for (const filter of anchorFilters) {
      const matches = filterIndices(objects, filter);
      if (matches.length !== 1) return [];
      anchors.push(matches[0] as number);
    }
    if (new Set(anchors).size !== anchors.length) return [];
    candidates = candidates.filter((index) => !anchors.includes(index));
    const first = objects[anchors[0] as number] as ObjectView;
    const view = (index: number): ObjectView => objects[index] as ObjectView;
    switch (relation.kind) {
      case 'left-of':
        candidates = candidates.filter((index) => isLeftOf(view(index), first, slack));
        break;
      case 'right-of':
        candidates = candidates.filter((index) => isLeftOf(first, view(index), slack));
        break;
      case 'above':
        candidates = candidates.filter((index) => isAbove(view(index), first, slack));
        break;
      case 'below':
        candidates = candidates.filter((index) => isAbove(first, view(index), slack));
        break;
      case 'inside':
        candidates = candidates.filter((index) => isInside(view(index), first, slack));
        break;
      case 'between': {
        const second = objects[anchors[1] as number] as ObjectView;
        candidates = candidates.filter((index) => isBetween(view(index), first, second, slack));
        break;
      }
      case 'nearest-to':
      case 'farthest-from':
        candidates = selectByDistance(objects, candidates, first, relation.kind === 'farthest-from', slack);
        break;
    }
  }
  if (spec.ordinal !== undefined) candidates = selectOrdinal(objects, candidates, spec.ordinal, slack);
  return candidates;
}

function filterSteps(filter: ObjectFilter): number {
  return (filter.trait === undefined ? 0 : 1) + (filter.corners === undefined ? 0 : 1);
}

/**
 * Inference steps a reader needs: one per implicit description (a trait or corner count instead of a
 * shape name), one for the ordinal, one for the relation. "the red triangle" needs 0.
 */
export function querySteps(spec: QuerySpec): number {
  const relation = spec.relation;
  const anchors: readonly ObjectFilter[] = relation === undefined ? [] : relation.kind === 'between' ? relation.anchors : [relation.anchor];
  return (
    filterSteps(spec.target) +
    (spec.ordinal === undefined ? 0 : 1) +
    (relation === undefined ? 0 : 1) +
    anchors.reduce((sum, anchor) => sum + filterSteps(anchor), 0)
  );
}
