/**
 * Segmentation queries with a unique, fully visible target (or, for ~5%, no target at all), mirroring
 * ReasonSeg's two kinds: short referring phrases and implicit reasoning sentences (1–3 inference
 * steps). A query is accepted only when its own text, parsed back, resolves to exactly the target on
 * the ground truth both with +DECISIVE_SLACK and −DECISIVE_SLACK, so small perception errors of a
 * simulated model do not change the answer.
 */
import { ORDINALS } from './relations.js';
import { filterIndices, querySteps, resolveQuery } from './query-spec.js';
import type { ObjectFilter, QueryRelation, QuerySpec } from './query-spec.js';
import { parseQuery } from './query-parse.js';
import { phraseText, sentenceText } from './query-text.js';
import type { Rng } from './rng.js';
import { COLOUR_NAMES, SHAPES, SHAPE_TRAITS, TRAIT_NAMES } from './vocabulary.js';
import type { ObjectView, TraitName } from './vocabulary.js';

/** Pixels of slack a generated query must survive in both directions. */
export const DECISIVE_SLACK = 4;

export interface SegQuery {
  readonly query: string;
  readonly isSentence: boolean;
  /** The object the query refers to, or null for a query with no valid target (empty ground truth). */
  readonly targetIndex: number | null;
  readonly steps: number;
  readonly spec: QuerySpec;
}

export interface SegQueryOptions {
  /** Share of queries with no valid target (default 0.05). */
  readonly noTargetRate?: number;
  /** Share of reasoning sentences (default 0.5). */
  readonly sentenceRate?: number;
}

/** Whether the spec resolves to exactly `expected` (empty for none) with slack in both directions. */
export function isDecisive(spec: QuerySpec, objects: readonly ObjectView[], expected: readonly number[]): boolean {
  const same = (found: number[]): boolean => found.length === expected.length && found.every((index) => expected.includes(index));
  return [0, DECISIVE_SLACK, -DECISIVE_SLACK].every((slack) => same(resolveQuery(spec, objects, { slack })));
}

/**
 * A query for one scene. `fullyVisible[i]` says object i is not occluded (only those can be targets, so
 * the exported polygon equals the rendered mask).
 */
export function generateSegQuery(
  objects: readonly ObjectView[],
  fullyVisible: readonly boolean[],
  rng: Rng,
  options: SegQueryOptions = {},
): SegQuery {
  const isSentence = rng.chance(options.sentenceRate ?? 0.5);
  const eligible = objects.flatMap((_, index) => (fullyVisible[index] === true ? [index] : []));
  const wantsNoTarget = eligible.length === 0 || rng.chance(options.noTargetRate ?? 0.05);
  // The form is chosen once and kept for most attempts: relations are rejected more often than ordinals,
  // so re-drawing the form on every attempt would crowd them out.
  const chosenMode = pickMode(isSentence, rng);
  for (let attempt = 0; attempt < 240; attempt += 1) {
    const targetIndex = wantsNoTarget ? null : rng.pick(eligible);
    const mode = attempt < 160 ? chosenMode : pickMode(isSentence, rng);
    const spec =
      targetIndex === null ? proposeAbsent(objects, isSentence, rng) : proposeSpec(objects, targetIndex, isSentence, mode, rng);
    if (spec === null) continue;
    const query = isSentence ? sentenceText(spec, rng) : phraseText(spec, rng);
    const parsed = parseQuery(query);
    const expected = targetIndex === null ? [] : [targetIndex];
    if (parsed === null || !isDecisive(spec, objects, expected) || !isDecisive(parsed, objects, expected)) continue;
    const steps = querySteps(spec);
    if (isSentence && (steps < 1 || steps > 3)) continue;
    return { query, isSentence, targetIndex, steps, spec };
  }
  // Practically unreachable: every scene has an absent colour-shape pair.
  const spec = proposeAbsent(objects, false, rng) ?? { target: { colour: 'red', shape: 'star' } };
  return { query: phraseText(spec), isSentence: false, targetIndex: null, steps: querySteps(spec), spec };
}

function traitsOf(object: ObjectView): TraitName[] {
  return TRAIT_NAMES.filter((trait) => SHAPE_TRAITS[object.shape][trait]);
}

/** A filter that admits the object: by name (shape, maybe colour) or, in sentences, by trait/corners. */
function describeObject(object: ObjectView, implicit: boolean, rng: Rng): ObjectFilter {
  const withColour = rng.chance(0.5);
  const colour = withColour ? { colour: object.colour } : {};
  if (!implicit) return rng.chance(0.15) ? { colour: object.colour } : { ...colour, shape: object.shape };
  const traits = traitsOf(object);
  const corners = SHAPE_TRAITS[object.shape].corners;
  if (traits.length > 0 && (corners === 0 || rng.chance(0.7))) return { ...colour, trait: rng.pick(traits) };
  return { ...colour, corners };
}

function proposeRelation(objects: readonly ObjectView[], targetIndex: number, implicitAnchor: boolean, rng: Rng): QueryRelation | null {
  const others = objects.flatMap((_, index) => (index === targetIndex ? [] : [index]));
  if (others.length === 0) return null;
  const kind = rng.pick(['left-of', 'right-of', 'above', 'below', 'nearest-to', 'farthest-from', 'inside', 'between'] as const);
  const anchorFilter = (index: number, implicit: boolean): ObjectFilter | null => {
    const filter = describeObject(objects[index] as ObjectView, implicit, rng);
    return filterIndices(objects, filter).length === 1 ? filter : null;
  };
  if (kind === 'between') {
    if (others.length < 2) return null;
    const [first, second] = rng.shuffle(others);
    const a = anchorFilter(first ?? 0, false);
    const b = anchorFilter(second ?? 0, false);
    return a === null || b === null ? null : { kind, anchors: [a, b] };
  }
  const anchor = anchorFilter(rng.pick(others), implicitAnchor);
  return anchor === null ? null : { kind, anchor };
}

type QueryMode = 'plain' | 'ordinal' | 'relation' | 'implicit-anchor';

function pickMode(isSentence: boolean, rng: Rng): QueryMode {
  const draw = rng.next();
  if (isSentence) return draw < 0.25 ? 'plain' : draw < 0.55 ? 'ordinal' : draw < 0.8 ? 'relation' : 'implicit-anchor';
  return draw < 0.45 ? 'plain' : draw < 0.75 ? 'ordinal' : 'relation';
}

function proposeSpec(objects: readonly ObjectView[], targetIndex: number, isSentence: boolean, mode: QueryMode, rng: Rng): QuerySpec | null {
  const target = objects[targetIndex] as ObjectView;
  const filter = describeObject(target, isSentence, rng);
  const matching = filterIndices(objects, filter);
  switch (mode) {
    case 'plain':
      return matching.length === 1 ? { target: filter } : null;
    case 'ordinal':
      // An ordinal must choose among several objects, not decorate a unique one.
      return matching.length >= 2 ? { target: filter, ordinal: rng.pick(ORDINALS) } : null;
    case 'relation':
    case 'implicit-anchor': {
      const relation = proposeRelation(objects, targetIndex, mode === 'implicit-anchor', rng);
      return relation === null ? null : { target: filter, relation };
    }
  }
}

/** A description nothing in the scene satisfies ("the purple star" when there is none). */
function proposeAbsent(objects: readonly ObjectView[], isSentence: boolean, rng: Rng): QuerySpec | null {
  const colour = rng.pick(COLOUR_NAMES);
  const filter: ObjectFilter = isSentence ? { colour, trait: rng.pick(TRAIT_NAMES) } : { colour, shape: rng.pick(SHAPES) };
  return filterIndices(objects, filter).length === 0 ? { target: filter } : null;
}
