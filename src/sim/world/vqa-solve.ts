/**
 * Solving SynthWorld VQA questions from a list of ObjectViews: the gold answer on ground truth, and what
 * a simulated MLLM answers from what it perceives. Each question also names the wrong answers a model
 * falling into each applicable trap would give (counting a similar colour too, mirroring left and
 * right, missing a partly hidden object).
 */
import { parseQuery } from './query-parse.js';
import { filterIndices, resolveQuery } from './query-spec.js';
import type { ObjectFilter } from './query-spec.js';
import { selectOrdinal } from './relations.js';
import { SHAPE_TRAITS, SIMILAR_COLOUR_PAIRS } from './vocabulary.js';
import type { ColourName, ObjectView } from './vocabulary.js';

export const VQA_TRAPS = ['none', 'occlusion', 'viewer-left', 'similar-colour'] as const;
export type VqaTrap = (typeof VQA_TRAPS)[number];

export const VQA_SKILLS = ['counting', 'area-comparison', 'attribute-arithmetic', 'spatial', 'colour-recognition'] as const;
export type VqaSkill = (typeof VQA_SKILLS)[number];

export interface VqaPitfall {
  readonly trap: VqaTrap;
  readonly wrongAnswer: string;
}

export interface VqaSolution {
  /** A letter for multiple-choice questions (when the value is among the options), else the value. */
  readonly answer: string;
  readonly pitfalls: VqaPitfall[];
}

/**
 * The words each trap is known by ('none' has none). The simulated solver does not read lessons for these
 * words (src/sim/servers/lesson-reading.ts acts on content only); tests use them to check that a lesson
 * writer names the trap, and that a lesson merely listing them changes no answer.
 */
export function trapKeywords(trap: VqaTrap): string[] {
  switch (trap) {
    case 'occlusion':
      return ['occluded', 'occlusion', 'hidden', 'covered', 'overlap'];
    case 'viewer-left':
      return ["viewer's left", "viewer's right", 'viewer', 'mirror'];
    case 'similar-colour':
      return ['similar colour', 'similar color', 'shade', 'hue'];
    case 'none':
      return [];
  }
}

export function similarColours(colour: ColourName): ColourName[] {
  return SIMILAR_COLOUR_PAIRS.flatMap(([a, b]) => (a === colour ? [b] : b === colour ? [a] : []));
}

const PATTERNS = {
  count: /\bhow many (.+?) are there\b/,
  countLeft: /\bhow many objects are to the (left|right) of (.+?)\?/,
  corners: /\bwhat is the total number of corners of all the (.+?) in the image/,
  difference: /\bhow many more (.+?) than (.+?) are there/,
  larger: /\bwhich is larger, (.+?) or (.+?)\?/,
  extreme: /\bwhich object is farthest to the (left|right)\b/,
  extremeColour: /\bwhat colou?r is the object farthest to the (left|right)\b/,
  colour: /\bwhat colou?r is (.+?)\?/,
} as const;

interface Value {
  readonly value: string;
  readonly pitfalls: VqaPitfall[];
}

const filterOf = (text: string): ObjectFilter => parseQuery(text)?.target ?? {};

function visibleCount(objects: readonly ObjectView[], indices: readonly number[]): number {
  return indices.filter((index) => objects[index]?.occluded !== true).length;
}

function countValue(objects: readonly ObjectView[], filter: ObjectFilter): Value {
  const matches = filterIndices(objects, filter);
  const pitfalls: VqaPitfall[] = [];
  const hidden = matches.length - visibleCount(objects, matches);
  if (hidden > 0) pitfalls.push({ trap: 'occlusion', wrongAnswer: String(matches.length - hidden) });
  if (filter.colour !== undefined) {
    const confused = similarColours(filter.colour).reduce((sum, colour) => sum + filterIndices(objects, { ...filter, colour }).length, 0);
    if (confused > 0) pitfalls.push({ trap: 'similar-colour', wrongAnswer: String(matches.length + confused) });
  }
  return { value: String(matches.length), pitfalls };
}

function cornersOf(objects: readonly ObjectView[], indices: readonly number[]): number {
  return indices.reduce((sum, index) => sum + SHAPE_TRAITS[(objects[index] as ObjectView).shape].corners, 0);
}

function cornersValue(objects: readonly ObjectView[], filter: ObjectFilter): Value {
  const matches = filterIndices(objects, filter);
  const total = cornersOf(objects, matches);
  const pitfalls: VqaPitfall[] = [];
  const shown = matches.filter((index) => objects[index]?.occluded !== true);
  if (cornersOf(objects, shown) !== total) pitfalls.push({ trap: 'occlusion', wrongAnswer: String(cornersOf(objects, shown)) });
  if (filter.colour !== undefined) {
    const confused = similarColours(filter.colour).flatMap((colour) => filterIndices(objects, { ...filter, colour }));
    if (cornersOf(objects, confused) > 0) pitfalls.push({ trap: 'similar-colour', wrongAnswer: String(total + cornersOf(objects, confused)) });
  }
  return { value: String(total), pitfalls };
}

function extremeIndex(objects: readonly ObjectView[], side: string): number | undefined {
  const all = objects.map((_, index) => index);
  return selectOrdinal(objects, all, side === 'left' ? 'leftmost' : 'rightmost')[0];
}

function describe(object: ObjectView | undefined): string {
  return object === undefined ? 'none' : `the ${object.colour} ${object.shape}`;
}

function solveValue(question: string, objects: readonly ObjectView[]): Value | null {
  let match: RegExpExecArray | null;
  if ((match = PATTERNS.countLeft.exec(question)) !== null) {
    const side = match[1] ?? 'left';
    const mirrored = side === 'left' ? 'right' : 'left';
    const count = (direction: string): number =>
      resolveQuery({ target: {}, relation: { kind: direction === 'left' ? 'left-of' : 'right-of', anchor: filterOf(match?.[2] ?? '') } }, objects).length;
    return { value: String(count(side)), pitfalls: [{ trap: 'viewer-left', wrongAnswer: String(count(mirrored)) }] };
  }
  if ((match = PATTERNS.difference.exec(question)) !== null) {
    const first = filterIndices(objects, filterOf(match[1] ?? ''));
    const second = filterIndices(objects, filterOf(match[2] ?? ''));
    const value = first.length - second.length;
    const naive = visibleCount(objects, first) - visibleCount(objects, second);
    return { value: String(value), pitfalls: naive === value ? [] : [{ trap: 'occlusion', wrongAnswer: String(naive) }] };
  }
  if ((match = PATTERNS.count.exec(question)) !== null) return countValue(objects, filterOf(match[1] ?? ''));
  if ((match = PATTERNS.corners.exec(question)) !== null) return cornersValue(objects, filterOf(match[1] ?? ''));
  if ((match = PATTERNS.larger.exec(question)) !== null) {
    const first = filterIndices(objects, filterOf(match[1] ?? ''))[0];
    const second = filterIndices(objects, filterOf(match[2] ?? ''))[0];
    const area = (index: number | undefined): number => (index === undefined ? 0 : (objects[index]?.area ?? 0));
    return { value: describe(objects[(area(first) >= area(second) ? first : second) ?? -1]), pitfalls: [] };
  }
  if ((match = PATTERNS.extreme.exec(question)) !== null) {
    const side = match[1] ?? 'left';
    const wrong = describe(objects[extremeIndex(objects, side === 'left' ? 'right' : 'left') ?? -1]);
    return { value: describe(objects[extremeIndex(objects, side) ?? -1]), pitfalls: [{ trap: 'viewer-left', wrongAnswer: wrong }] };
  }
  if ((match = PATTERNS.extremeColour.exec(question)) !== null) {
    const side = match[1] ?? 'left';
    const wrong = objects[extremeIndex(objects, side === 'left' ? 'right' : 'left') ?? -1]?.colour ?? 'none';
    return { value: objects[extremeIndex(objects, side) ?? -1]?.colour ?? 'none', pitfalls: [{ trap: 'viewer-left', wrongAnswer: wrong }] };
  }
  if ((match = PATTERNS.colour.exec(question)) !== null) {
    const found = filterIndices(objects, filterOf(match[1] ?? ''));
    const colour = found.length === 1 ? objects[found[0] ?? -1]?.colour : undefined;
    if (colour === undefined) return { value: 'none', pitfalls: [] };
    const similar = similarColours(colour)[0];
    return { value: colour, pitfalls: similar === undefined ? [] : [{ trap: 'similar-colour', wrongAnswer: similar }] };
  }
  return null;
}

/** The option letter whose text means `value` (a number, a colour, or an object description), if any. */
function optionLetter(value: string, options: readonly string[], objects: readonly ObjectView[]): string | undefined {
  const normalised = value.trim().toLowerCase();
  const position = options.findIndex((option) => {
    const text = option.trim().toLowerCase();
    if (text === normalised) return true;
    const spec = parseQuery(text);
    const target = parseQuery(normalised);
    if (spec === null || target === null || spec.target.shape === undefined) return false;
    const a = resolveQuery(spec, objects);
    const b = resolveQuery(target, objects);
    return a.length === 1 && b.length === 1 && a[0] === b[0];
  });
  return position < 0 ? undefined : String.fromCharCode(65 + position);
}

/**
 * The answer to a SynthWorld VQA question given the objects seen, and the wrong answers of each trap
 * that applies. Unknown questions answer "unknown" with no pitfalls.
 */
export function solveVqa(question: string, options: readonly string[], objects: readonly ObjectView[]): VqaSolution {
  const text = question.replace(/<image\d+>/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  const solved = solveValue(text, objects);
  if (solved === null) return { answer: 'unknown', pitfalls: [] };
  const asAnswer = (value: string): string => (options.length === 0 ? value : (optionLetter(value, options, objects) ?? value));
  const pitfalls = solved.pitfalls
    .map((pitfall) => ({ trap: pitfall.trap, wrongAnswer: asAnswer(pitfall.wrongAnswer) }))
    .filter((pitfall) => pitfall.wrongAnswer !== asAnswer(solved.value));
  return { answer: asAnswer(solved.value), pitfalls };
}
