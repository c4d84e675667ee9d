/**
 * Writing a QuerySpec as text: short referring phrases ("the leftmost red circle") and implicit
 * reasoning sentences ("the thing a child could roll across the floor, the one farthest from the star").
 * Every word the parser keys on comes from the tables here, so generation and parsing agree.
 */
import type { Rng } from './rng.js';
import type { Ordinal } from './relations.js';
import type { ObjectFilter, QueryRelation, QuerySpec } from './query-spec.js';
import type { TraitName } from './vocabulary.js';

export const NUMBER_WORDS: Readonly<Record<number, string>> = {
  0: 'zero', 1: 'one', 2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six',
  7: 'seven', 8: 'eight', 9: 'nine', 10: 'ten', 11: 'eleven', 12: 'twelve',
};

/** Noun phrases (after "the") naming an object by a trait; "{c}" is where a colour goes. */
const TRAIT_NOUNS: Readonly<Record<TraitName, readonly string[]>> = {
  canRoll: ['{c}thing a child could roll across the floor', '{c}object that would roll away if the table tilted', '{c}thing that could roll like a wheel'],
  canStack: ['{c}block you could build a tower with', '{c}object you could stack neatly like a brick'],
  isPointy: ['{c}object with sharp points', '{c}thing pointy enough to prick a finger'],
};

/** Verb phrases for "Which {c}object …?" questions. */
const TRAIT_QUESTIONS: Readonly<Record<TraitName, readonly string[]>> = {
  canRoll: ['could a child roll across the floor', 'would roll away if the table tilted'],
  canStack: ['could you stack neatly like a brick', 'could you build a tower with'],
  isPointy: ['is pointy enough to prick a finger', 'has sharp points'],
};

const ORDINAL_WORDS: Readonly<Record<Ordinal, readonly string[]>> = {
  leftmost: ['leftmost'],
  rightmost: ['rightmost'],
  topmost: ['topmost', 'highest'],
  bottommost: ['bottommost', 'lowest'],
  largest: ['largest', 'biggest'],
  smallest: ['smallest'],
};

const SENTENCE_OPENERS = ['', 'Segment ', 'Find ', 'Show me ', 'Please point out '];

function colourPrefix(filter: ObjectFilter): string {
  return filter.colour === undefined ? '' : `${filter.colour} `;
}

/** "the red triangle", "the red object", "the object with sharp points", "the shape with exactly six corners". */
export function describeFilter(filter: ObjectFilter, rng?: Rng): string {
  if (filter.shape !== undefined) return `the ${colourPrefix(filter)}${filter.shape}`;
  if (filter.trait !== undefined) {
    const options = TRAIT_NOUNS[filter.trait];
    const template = rng === undefined ? (options[0] ?? '') : rng.pick(options);
    return `the ${template.replace('{c}', colourPrefix(filter))}`;
  }
  if (filter.corners !== undefined) {
    return `the ${colourPrefix(filter)}shape with exactly ${NUMBER_WORDS[filter.corners] ?? String(filter.corners)} corners`;
  }
  return `the ${colourPrefix(filter)}object`;
}

function ordinalWord(ordinal: Ordinal, rng?: Rng): string {
  const options = ORDINAL_WORDS[ordinal];
  return rng === undefined ? (options[0] ?? ordinal) : rng.pick(options);
}

export function describeRelation(relation: QueryRelation, rng?: Rng): string {
  const pick = (options: readonly string[]): string => (rng === undefined ? (options[0] ?? '') : rng.pick(options));
  if (relation.kind === 'between') {
    return `between ${describeFilter(relation.anchors[0], rng)} and ${describeFilter(relation.anchors[1], rng)}`;
  }
  const anchor = describeFilter(relation.anchor, rng);
  switch (relation.kind) {
    case 'left-of':
      return `to the left of ${anchor}`;
    case 'right-of':
      return `to the right of ${anchor}`;
    case 'above':
      return `above ${anchor}`;
    case 'below':
      return `below ${anchor}`;
    case 'nearest-to':
      return `${pick(['nearest to', 'closest to'])} ${anchor}`;
    case 'farthest-from':
      return `farthest from ${anchor}`;
    case 'inside':
      return `inside ${anchor}`;
  }
}

/** A short referring phrase: "the leftmost red circle", "the star to the left of the blue square". */
export function phraseText(spec: QuerySpec, rng?: Rng): string {
  const noun = describeFilter(spec.target, rng).replace(/^the /, '');
  const ordinal = spec.ordinal === undefined ? '' : `${ordinalWord(spec.ordinal, rng)} `;
  const relation = spec.relation === undefined ? '' : ` ${describeRelation(spec.relation, rng)}`;
  return `the ${ordinal}${noun}${relation}`;
}

/**
 * An implicit reasoning sentence. Trait targets may be asked as a question ("Which red object could a
 * child roll across the floor? If there are several, choose the one nearest to the star.").
 */
export function sentenceText(spec: QuerySpec, rng: Rng): string {
  const selector =
    spec.relation !== undefined
      ? `the one ${describeRelation(spec.relation, rng)}`
      : spec.ordinal !== undefined
        ? `the ${ordinalWord(spec.ordinal, rng)} one`
        : '';
  const trait = spec.target.trait;
  if (trait !== undefined && spec.target.shape === undefined && rng.chance(0.5)) {
    const question = `Which ${colourPrefix(spec.target)}object ${rng.pick(TRAIT_QUESTIONS[trait])}?`;
    return selector === '' ? question : `${question} If there are several, choose ${selector}.`;
  }
  const opener = rng.pick(SENTENCE_OPENERS);
  const noun = describeFilter(spec.target, rng);
  const body = selector === '' ? noun : `${noun}, ${selector}`;
  const text = `${opener}${body}`;
  return opener === '' ? capitalise(text) : `${text}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
