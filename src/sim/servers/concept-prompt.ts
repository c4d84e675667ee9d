/**
 * How the simulated SAM 3 reads a text prompt: as a *concept* — a short noun phrase with attributes — the
 * way SAM 3 is described upstream (facebookresearch/sam3 README: "exhaustively segment all instances of an
 * open-vocabulary concept specified by a short text phrase"; its agent's system prompt tells the MLLM to
 * avoid "actions, relationships, or comparatives" and numbers, e.g. "vase" instead of "the bigger vase").
 *
 * Understood: category nouns (shape names, plural or singular, a few synonyms and look-alike everyday
 * nouns), colour words, size words (small/large) and texture words (plain/striped…). Ignored: relations,
 * ordinals, comparatives, superlatives, numbers, verbs and clauses — but every noun in the prompt is read,
 * so "the circle left of the red star" yields two concepts (circles, red stars) that compete.
 *
 * Deliberately independent of the query generator's parser (src/sim/world/query-parse.ts): only the
 * world's vocabulary (colour and shape names) is shared, as a real model shares the language.
 */
import { COLOUR_NAMES, SHAPES } from '../world/index.js';
import type { ColourName, ShapeKind } from '../world/index.js';

export type SizeWord = 'small' | 'large';
export type TextureWord = 'plain' | 'patterned';

/** How a noun names its category: by name, by resemblance (an everyday object it looks like), or vaguely. */
export type NounKind = 'named' | 'resemblance' | 'vague' | 'attribute-only';

export interface ConceptTerm {
  /** Categories the noun admits; empty = any object ("thing", "object", or a bare colour). */
  readonly categories: readonly ShapeKind[];
  readonly noun: NounKind;
  readonly colour?: ColourName;
  readonly size?: SizeWord;
  readonly texture?: TextureWord;
  /** 0 for the first concept in the prompt (its head), 1, 2, … for concepts in later clauses. */
  readonly order: number;
}

export interface ConceptPrompt {
  readonly terms: readonly ConceptTerm[];
  /** Words that are neither a concept noun, an attribute nor an article: relations, verbs, numbers, clauses. */
  readonly extraWords: number;
}

const NAMED_NOUNS: Readonly<Record<string, readonly ShapeKind[]>> = Object.fromEntries([
  ...SHAPES.flatMap((shape) => [
    [shape, [shape]],
    [shape === 'cross' ? 'crosses' : `${shape}s`, [shape]],
  ]),
  ['disc', ['circle']],
  ['discs', ['circle']],
  ['disk', ['circle']],
  ['disks', ['circle']],
  ['donut', ['ring']],
  ['donuts', ['ring']],
  ['doughnut', ['ring']],
  ['doughnuts', ['ring']],
  ['hoop', ['ring']],
  ['hoops', ['ring']],
]);

/** Everyday nouns an open-vocabulary model maps onto flat shapes that look like them, at lower confidence. */
const RESEMBLANCE_NOUNS: Readonly<Record<string, readonly ShapeKind[]>> = Object.fromEntries([
  ['ball', ['circle']],
  ['balls', ['circle']],
  ['coin', ['circle']],
  ['coins', ['circle']],
  ['wheel', ['circle', 'ring']],
  ['wheels', ['circle', 'ring']],
  ['brick', ['rectangle', 'square']],
  ['bricks', ['rectangle', 'square']],
  ['block', ['square', 'rectangle']],
  ['blocks', ['square', 'rectangle']],
  ['tile', ['square']],
  ['tiles', ['square']],
]);

const VAGUE_NOUNS = new Set(['object', 'objects', 'thing', 'things', 'shape', 'shapes', 'item', 'items']);

const SIZE_WORDS: Readonly<Record<string, SizeWord>> = {
  small: 'small',
  little: 'small',
  tiny: 'small',
  large: 'large',
  big: 'large',
  huge: 'large',
};

const TEXTURE_WORDS: Readonly<Record<string, TextureWord>> = {
  plain: 'plain',
  solid: 'plain',
  flat: 'plain',
  striped: 'patterned',
  dotted: 'patterned',
  spotted: 'patterned',
  checkered: 'patterned',
  patterned: 'patterned',
  textured: 'patterned',
};

/** Words that neither name nor describe anything, so they neither count as extra words nor break an attribute run. */
const FILLER_WORDS = new Set(['the', 'a', 'an', 'and', 'very', 'all', 'every', 'each', 'any', 'some']);

const COLOURS = new Set<string>(COLOUR_NAMES);

interface PendingAttributes {
  colour?: ColourName;
  size?: SizeWord;
  texture?: TextureWord;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter((word) => word.length > 0);
}

function hasAttributes(pending: PendingAttributes): boolean {
  return pending.colour !== undefined || pending.size !== undefined || pending.texture !== undefined;
}

/**
 * The concepts of a prompt, in order. Attributes attach to the next noun; attributes with no noun after
 * them ("the red one") form a concept of their own only when they name a colour (SAM 3 grounds "red").
 */
export function parseConceptPrompt(text: string): ConceptPrompt {
  const terms: ConceptTerm[] = [];
  let pending: PendingAttributes = {};
  let extraWords = 0;
  const push = (categories: readonly ShapeKind[], noun: NounKind): void => {
    terms.push({ categories, noun, ...pending, order: terms.length });
    pending = {};
  };
  const flushDangling = (): void => {
    if (pending.colour !== undefined) push([], 'attribute-only');
    pending = {};
  };
  for (const word of words(text)) {
    if (COLOURS.has(word)) pending.colour = word as ColourName;
    else if (SIZE_WORDS[word] !== undefined) pending.size = SIZE_WORDS[word];
    else if (TEXTURE_WORDS[word] !== undefined) pending.texture = TEXTURE_WORDS[word];
    else if (NAMED_NOUNS[word] !== undefined) push(NAMED_NOUNS[word], 'named');
    else if (RESEMBLANCE_NOUNS[word] !== undefined) push(RESEMBLANCE_NOUNS[word], 'resemblance');
    else if (VAGUE_NOUNS.has(word)) push([], 'vague');
    else if (!FILLER_WORDS.has(word)) {
      if (hasAttributes(pending)) flushDangling();
      extraWords += 1;
    }
  }
  flushDangling();
  return { terms, extraWords };
}
