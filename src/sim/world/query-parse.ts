/**
 * Reading a query or phrase back into a QuerySpec: the inverse of query-text.ts, also used by the
 * simulated MLLM and segmenter on text they receive. Keyword based: a relation keyword splits the text
 * into the target description (before) and the anchor description(s) (after).
 */
import type { ObjectFilter, QueryRelation, QuerySpec } from './query-spec.js';
import type { Ordinal, RelationKind } from './relations.js';
import { NUMBER_WORDS } from './query-text.js';
import { COLOUR_NAMES, SHAPES } from './vocabulary.js';
import type { ColourName, ShapeKind, TraitName } from './vocabulary.js';

const RELATION_PATTERNS: readonly (readonly [RelationKind, RegExp])[] = [
  ['between', /\bbetween\b/],
  ['left-of', /\b(?:to the |on the )?left of\b/],
  ['right-of', /\b(?:to the |on the )?right of\b/],
  ['above', /\b(?:above|over)\b/],
  ['below', /\b(?:below|under|beneath|underneath)\b/],
  ['nearest-to', /\b(?:nearest|closest)(?: to)?\b/],
  ['farthest-from', /\b(?:farthest|furthest)(?: from| away from)?\b/],
  ['inside', /\b(?:inside|within|in the hole of)\b/],
];

const ORDINAL_PATTERNS: readonly (readonly [Ordinal, RegExp])[] = [
  ['leftmost', /\b(?:leftmost|left-most|left)\b/],
  ['rightmost', /\b(?:rightmost|right-most|right)\b/],
  ['topmost', /\b(?:topmost|top-most|highest|top|upper|uppermost|higher)\b/],
  ['bottommost', /\b(?:bottommost|bottom-most|lowest|bottom|lower|lowermost)\b/],
  ['largest', /\b(?:largest|biggest|larger|bigger)\b/],
  ['smallest', /\b(?:smallest|tiniest|smaller)\b/],
];

const TRAIT_PATTERNS: readonly (readonly [TraitName, RegExp])[] = [
  ['canRoll', /\broll(?:s|ing)?\b/],
  ['canStack', /\b(?:stack(?:s|ed|able)?|tower|brick)\b/],
  ['isPointy', /\b(?:pointy|sharp|prick)\b/],
];

const SHAPE_PATTERNS: readonly (readonly [ShapeKind, RegExp])[] = SHAPES.map((shape) => {
  const extra = shape === 'ring' ? '|donuts?|doughnuts?' : shape === 'cross' ? '|crosses' : '';
  return [shape, new RegExp(`\\b(?:${shape}s?${extra})\\b`)] as const;
});

const VAGUE_NOUNS = /\b(?:object|objects|thing|things|shape|shapes|item|items|one|something|everything|anything)\b/;

const CORNER_PATTERN = new RegExp(`\\b(\\d+|${Object.values(NUMBER_WORDS).join('|')}) corners?\\b`);

interface ParsedFilter {
  readonly filter: ObjectFilter;
  readonly recognised: boolean;
}

function firstMatch<T>(text: string, patterns: readonly (readonly [T, RegExp])[]): { value: T; index: number } | null {
  let best: { value: T; index: number } | null = null;
  for (const [value, pattern] of patterns) {
    const match = pattern.exec(text);
    if (match !== null && (best === null || match.index < best.index)) best = { value, index: match.index };
  }
  return best;
}

function parseCorners(text: string): number | undefined {
  const match = CORNER_PATTERN.exec(text);
  if (match === null) return undefined;
  const word = match[1] ?? '';
  const fromWord = Object.entries(NUMBER_WORDS).find(([, name]) => name === word);
  return fromWord === undefined ? Number(word) : Number(fromWord[0]);
}

function parseFilter(text: string): ParsedFilter {
  const colour = firstMatch<ColourName>(text, COLOUR_NAMES.map((name) => [name, new RegExp(`\\b${name}\\b`)] as const));
  const shape = firstMatch<ShapeKind>(text, SHAPE_PATTERNS);
  const trait = shape === null ? firstMatch<TraitName>(text, TRAIT_PATTERNS) : null;
  const corners = shape === null && trait === null ? parseCorners(text) : undefined;
  const filter: ObjectFilter = {
    ...(colour === null ? {} : { colour: colour.value }),
    ...(shape === null ? {} : { shape: shape.value }),
    ...(trait === null ? {} : { trait: trait.value }),
    ...(corners === undefined ? {} : { corners }),
  };
  const recognised = colour !== null || shape !== null || trait !== null || corners !== undefined || VAGUE_NOUNS.test(text);
  return { filter, recognised };
}

export function normaliseQueryText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The spec of a query or phrase, or null when it names nothing we know (no colour, shape, trait, corner
 * count, ordinal, relation or vague noun such as "object"). "red circles" admits every red circle.
 */
export function parseQuery(text: string): QuerySpec | null {
  const normalised = normaliseQueryText(text);
  const relationMatch = firstMatch<RelationKind>(normalised, RELATION_PATTERNS);
  let head = normalised;
  let relation: QueryRelation | undefined;
  if (relationMatch !== null) {
    const pattern = RELATION_PATTERNS.find(([kind]) => kind === relationMatch.value)?.[1];
    const matched = pattern?.exec(normalised)?.[0] ?? '';
    head = normalised.slice(0, relationMatch.index);
    const tail = normalised.slice(relationMatch.index + matched.length);
    if (relationMatch.value === 'between') {
      const parts = tail.split(/\band\b/);
      const first = parseFilter(parts[0] ?? '');
      const second = parseFilter(parts.slice(1).join(' and '));
      if (!first.recognised || !second.recognised) return null;
      relation = { kind: 'between', anchors: [first.filter, second.filter] };
    } else {
      const anchor = parseFilter(tail);
      if (!anchor.recognised) return null;
      relation = { kind: relationMatch.value, anchor: anchor.filter };
    }
  }
  const target = parseFilter(head);
  const ordinal = firstMatch<Ordinal>(head, ORDINAL_PATTERNS);
  if (!target.recognised && ordinal === null && relation === undefined) return null;
  return {
    target: target.filter,
    ...(ordinal === null ? {} : { ordinal: ordinal.value }),
    ...(relation === undefined ? {} : { relation }),
  };
}

/** The spec of a segmenter prompt such as "red circle", "the leftmost star", "object": same grammar. */
export function phraseToSpec(phrase: string): QuerySpec | null {
  return parseQuery(phrase);
}
