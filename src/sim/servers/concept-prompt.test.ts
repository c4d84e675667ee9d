import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conceptConfidences } from './concept-match.js';
import { parseConceptPrompt } from './concept-prompt.js';
import type { ObjectView } from '../world/index.js';

function view(shape: ObjectView['shape'], colour: ObjectView['colour'], area = 3000, occluded = false): ObjectView {
  return { shape, colour, box: [0, 0, 10, 10], centroid: [5, 5], area, occluded };
}

const IMAGE_PIXELS = 640 * 480;

describe('the simulated SAM 3 reads a prompt as concepts', () => {
  it('reads every noun with its own attributes, the first one as the head, and counts relation words as extra', () => {
    const prompt = parseConceptPrompt('the circle to the left of the red star');
    expect(prompt.terms, 'two concepts: circles, then red stars').toEqual([
      { categories: ['circle'], noun: 'named', order: 0 },
      { categories: ['star'], noun: 'named', colour: 'red', order: 1 },
    ]);
    expect(prompt.extraWords, '"to", "left", "of" are not concept words').toBe(3);
  });

  it('ignores ordinals, comparatives, superlatives and numbers: "the leftmost/largest/second triangle" is "triangle"', () => {
    const plain = parseConceptPrompt('triangle').terms;
    for (const text of ['the leftmost triangle', 'the largest triangle', 'the second triangle from the top', 'the bigger triangle']) {
      expect(parseConceptPrompt(text).terms, text).toEqual(plain);
    }
  });

  it('reads plural and singular as the same concept, and a trait sentence only for its nouns', () => {
    expect(parseConceptPrompt('red circles').terms).toEqual(parseConceptPrompt('red circle').terms);
    expect(parseConceptPrompt('crosses').terms[0]?.categories).toEqual(['cross']);
    const trait = parseConceptPrompt('Which red object could a child roll across the floor? If there are several, choose the one nearest to the star.');
    expect(
      trait.terms.map((term) => [term.noun, term.colour, term.categories.join('|')]),
      'a red object (vague + colour), then stars; "child", "floor", "one" ground nothing',
    ).toEqual([
      ['vague', 'red', ''],
      ['named', undefined, 'star'],
    ]);
  });

  it('names no concept for a prompt made only of relations and ordinals', () => {
    expect(parseConceptPrompt('the second one from the top').terms).toEqual([]);
    expect(parseConceptPrompt('the one left of it').terms).toEqual([]);
  });

  it('keeps a colour with no noun after it as a concept of its own ("the red one")', () => {
    expect(parseConceptPrompt('the red one').terms).toEqual([{ categories: [], noun: 'attribute-only', colour: 'red', order: 0 }]);
  });

  it('scores each object on its own: matches high, near misses low, mismatches zero, later nouns lower', () => {
    const objects = [view('star', 'red'), view('star', 'brown'), view('star', 'blue'), view('circle', 'blue'), view('star', 'red', 3000, true)];
    const [redStar, brownStar, blueStar, blueCircle, hiddenRedStar] = conceptConfidences(parseConceptPrompt('red star'), objects, IMAGE_PIXELS);
    expect(redStar, 'a full match').toBeCloseTo(0.93, 5);
    expect(brownStar, 'brown is red\'s similar colour: a low score, not zero').toBeCloseTo(0.93 * 0.45, 5);
    expect(blueStar, 'another colour is no red star').toBe(0);
    expect(blueCircle, 'another category').toBe(0);
    expect(hiddenRedStar, 'an occluded instance scores lower').toBeCloseTo(0.93 * 0.85, 5);
    const relational = conceptConfidences(parseConceptPrompt('the circle left of the red star'), objects, IMAGE_PIXELS);
    expect(relational[3], 'the head noun wins over a noun in the relation').toBeGreaterThan(relational[0] ?? 1);
    expect(relational[0], 'but the red star still competes').toBeGreaterThan(0.5);
  });

  it('reads size words absolutely (share of the image) and ignores their comparatives', () => {
    const objects = [view('square', 'green', 0.001 * IMAGE_PIXELS), view('square', 'green', 0.05 * IMAGE_PIXELS)];
    const [small, large] = conceptConfidences(parseConceptPrompt('small square'), objects, IMAGE_PIXELS);
    expect(small, 'a small square is a small square').toBeGreaterThan(large ?? 1);
    const [smallerA, smallerB] = conceptConfidences(parseConceptPrompt('smaller square'), objects, IMAGE_PIXELS);
    expect(smallerB, '"smaller" is a comparative: both squares score alike apart from visibility').toBeGreaterThan(smallerA ?? 1);
  });

  it('does not use the query generator\'s parser or resolver', () => {
    for (const file of ['concept-prompt.ts', 'concept-match.ts', 'segmenter-logic.ts']) {
      const imports = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('import '));
      expect(imports.length, `${file} has imports`).toBeGreaterThan(0);
      for (const line of imports) {
        expect(line, `${file} must not parse queries with the generator's grammar`).not.toMatch(/\b(?:phraseToSpec|parseQuery|resolveQuery|selectOrdinal|isLeftOf|query-parse|query-spec|relations)\b/);
      }
    }
  });
});
