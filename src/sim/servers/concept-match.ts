/**
 * How strongly each perceived object matches a concept prompt (concept-prompt.ts): one confidence per
 * object, before the noise model's score noise, misses and boundary errors. Every rule and constant is in
 * the README's "Simulated SAM 3 reads concepts" table; change both together.
 *
 * The rules describe a concept detector (SAM 3's DETR detector with a presence token), not a method's
 * needs: it scores each instance on its own, from its category, attributes and visibility; it never looks
 * at where an object is relative to another, nor ranks objects against each other.
 */
import { SIMILAR_COLOUR_PAIRS } from '../world/index.js';
import type { ColourName, ObjectView, ShapeKind } from '../world/index.js';
import type { ConceptPrompt, ConceptTerm, NounKind } from './concept-prompt.js';

/** Base confidence of an instance that fully matches a concept, by how the noun names it. */
export const NOUN_CONFIDENCE: Readonly<Record<NounKind, number>> = {
  named: 0.93,
  resemblance: 0.7,
  'attribute-only': 0.8,
  vague: 0.55,
};
/** A vague noun with an attribute ("red object") is as specific as the bare attribute. */
const VAGUE_WITH_ATTRIBUTE = 0.8;
/** Concepts after the first (nouns inside relations or later clauses) compete at this factor. */
export const LATER_CONCEPT_FACTOR = 0.8;
/** Each word that is no concept, attribute or article lowers every score (long prompts are off-distribution). */
export const EXTRA_WORD_PENALTY = 0.02;
export const MIN_LENGTH_FACTOR = 0.6;
/** A look-alike category (square ↔ rectangle, circle ↔ ring) or a similar colour still scores, low. */
export const NEAR_MISS_FACTOR = 0.45;
/** Size words are absolute: share of the image's pixels. */
export const SMALL_BELOW = 0.005;
export const LARGE_ABOVE = 0.02;
export const SIZE_FACTOR = { match: 1, medium: 0.7, opposite: 0.4 } as const;
/** Every SynthWorld object is a flat colour: "plain" fits all, a pattern word fits none. */
export const PATTERNED_FACTOR = 0.3;
/** Per-instance visibility: a partly hidden object or a small one is detected less confidently. */
export const OCCLUDED_FACTOR = 0.85;
export const SMALL_INSTANCE_FACTOR = 0.9;

const LOOK_ALIKES: readonly (readonly [ShapeKind, ShapeKind])[] = [
  ['square', 'rectangle'],
  ['circle', 'ring'],
];

function pairs<T>(list: readonly (readonly [T, T])[], a: T, b: T): boolean {
  return list.some(([first, second]) => (first === a && second === b) || (first === b && second === a));
}

function categoryFactor(term: ConceptTerm, shape: ShapeKind): number {
  if (term.categories.length === 0 || term.categories.includes(shape)) return 1;
  return term.categories.some((category) => pairs(LOOK_ALIKES, category, shape)) ? NEAR_MISS_FACTOR : 0;
}

function colourFactor(term: ConceptTerm, colour: ColourName): number {
  if (term.colour === undefined || term.colour === colour) return 1;
  return pairs(SIMILAR_COLOUR_PAIRS, term.colour, colour) ? NEAR_MISS_FACTOR : 0;
}

function sizeFactor(term: ConceptTerm, share: number): number {
  if (term.size === undefined) return 1;
  const size = share < SMALL_BELOW ? 'small' : share > LARGE_ABOVE ? 'large' : 'medium';
  if (size === 'medium') return SIZE_FACTOR.medium;
  return size === term.size ? SIZE_FACTOR.match : SIZE_FACTOR.opposite;
}

function baseConfidence(term: ConceptTerm): number {
  const attributed = term.colour !== undefined || term.size !== undefined || term.texture !== undefined;
  return term.noun === 'vague' && attributed ? VAGUE_WITH_ATTRIBUTE : NOUN_CONFIDENCE[term.noun];
}

/** The confidence of one object under one concept, or 0 when the concept does not admit it. */
export function termConfidence(term: ConceptTerm, object: ObjectView, imagePixels: number): number {
  const share = object.area / imagePixels;
  const factor =
    categoryFactor(term, object.shape) *
    colourFactor(term, object.colour) *
    sizeFactor(term, share) *
    (term.texture === 'patterned' ? PATTERNED_FACTOR : 1) *
    (term.order === 0 ? 1 : LATER_CONCEPT_FACTOR);
  if (factor === 0) return 0;
  const visibility = (object.occluded === true ? OCCLUDED_FACTOR : 1) * (share < SMALL_BELOW ? SMALL_INSTANCE_FACTOR : 1);
  return baseConfidence(term) * factor * visibility;
}

export function lengthFactor(prompt: ConceptPrompt): number {
  return Math.max(MIN_LENGTH_FACTOR, 1 - EXTRA_WORD_PENALTY * prompt.extraWords);
}

/** One confidence per object: its best concept's, scaled by the prompt's length; 0 = not an instance. */
export function conceptConfidences(prompt: ConceptPrompt, objects: readonly ObjectView[], imagePixels: number): number[] {
  const length = lengthFactor(prompt);
  return objects.map((object) => length * Math.max(0, ...prompt.terms.map((term) => termConfidence(term, object, imagePixels))));
}
