import { describe, it, expect } from 'vitest';
import { canonicalPhrase } from './canonical.js';
import { generateSegQuery } from './queries.js';
import { parseQuery, phraseToSpec } from './query-parse.js';
import { querySteps, resolveQuery } from './query-spec.js';
import type { QuerySpec } from './query-spec.js';
import { sentenceText } from './query-text.js';
import { renderScene } from './render.js';
import { createRng } from './rng.js';
import { generateScene } from './scene.js';
import { TRAIT_NAMES } from './vocabulary.js';
import type { ObjectView } from './vocabulary.js';

function sceneObjects(seed: number): { objects: ObjectView[]; fullyVisible: boolean[] } {
  const rendered = renderScene(generateScene(seed));
  return { objects: rendered.objects, fullyVisible: rendered.fullyVisible };
}

const view = (shape: ObjectView['shape'], colour: ObjectView['colour'], x: number, y: number, size = 20): ObjectView => ({
  shape,
  colour,
  box: [x - size / 2, y - size / 2, x + size / 2, y + size / 2],
  centroid: [x, y],
  area: size * size,
});

describe('segmentation queries', () => {
  it('resolves 1,000 generated queries, parsed back from text, to exactly their target on the ground truth', () => {
    let generated = 0;
    let withoutTarget = 0;
    let sentences = 0;
    const failures: string[] = [];
    for (let seed = 1; generated < 1000; seed += 1) {
      const { objects, fullyVisible } = sceneObjects(seed);
      const rng = createRng(seed * 7 + 3);
      for (let draw = 0; draw < 10; draw += 1) {
        const query = generateSegQuery(objects, fullyVisible, rng);
        generated += 1;
        withoutTarget += query.targetIndex === null ? 1 : 0;
        sentences += query.isSentence ? 1 : 0;
        const spec = parseQuery(query.query);
        const found = spec === null ? ['unparsed'] : resolveQuery(spec, objects);
        const expected = query.targetIndex === null ? [] : [query.targetIndex];
        if (JSON.stringify(found) !== JSON.stringify(expected)) failures.push(`seed ${seed}: "${query.query}" → ${JSON.stringify(found)}`);
        if (query.targetIndex !== null) expect(fullyVisible[query.targetIndex], 'targets are never occluded').toBe(true);
        if (query.isSentence) {
          expect(query.steps).toBeGreaterThanOrEqual(1);
          expect(query.steps).toBeLessThanOrEqual(3);
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(withoutTarget / generated, 'share of no-target queries').toBeGreaterThan(0.02);
    expect(withoutTarget / generated).toBeLessThan(0.09);
    expect(sentences / generated, 'share of sentences').toBeGreaterThan(0.35);
  }, 120_000);

  it('parses the phrases a segmenter receives, including plurals and vague nouns', () => {
    expect(phraseToSpec('red circle')).toEqual({ target: { colour: 'red', shape: 'circle' } });
    expect(phraseToSpec('the leftmost star')).toEqual({ target: { shape: 'star' }, ordinal: 'leftmost' });
    expect(phraseToSpec('the larger red circle')).toEqual({ target: { colour: 'red', shape: 'circle' }, ordinal: 'largest' });
    expect(phraseToSpec('blue squares')).toEqual({ target: { colour: 'blue', shape: 'square' } });
    expect(phraseToSpec('object')).toEqual({ target: {} });
    expect(phraseToSpec('quantum flux')).toBeNull();
  });

  it('parses reasoning sentences into traits, relations and anchors', () => {
    const spec = parseQuery('Something a child could roll across the floor, the one farthest from the star.');
    expect(spec).toEqual({ target: { trait: 'canRoll' }, relation: { kind: 'farthest-from', anchor: { shape: 'star' } } });
    const between = parseQuery('the cross between the red circle and the blue square');
    expect(between).toEqual({
      target: { shape: 'cross' },
      relation: { kind: 'between', anchors: [{ colour: 'red', shape: 'circle' }, { colour: 'blue', shape: 'square' }] },
    });
    expect(querySteps(spec ?? { target: {} })).toBe(2);
    expect(parseQuery('Which shape has exactly six corners?')).toEqual({ target: { corners: 6 } });
  });

  it('parses back every sentence template for every trait, colour and relation it writes', () => {
    const rng = createRng(99);
    const relations: QuerySpec['relation'][] = [
      undefined,
      { kind: 'nearest-to', anchor: { shape: 'star' } },
      { kind: 'farthest-from', anchor: { trait: 'isPointy' } },
      { kind: 'left-of', anchor: { colour: 'blue', shape: 'square' } },
      { kind: 'inside', anchor: { shape: 'ring' } },
      { kind: 'between', anchors: [{ shape: 'circle' }, { colour: 'red', shape: 'cross' }] },
    ];
    for (const trait of TRAIT_NAMES) {
      for (const relation of relations) {
        for (let draw = 0; draw < 40; draw += 1) {
          const spec: QuerySpec = { target: { colour: 'teal', trait }, ...(relation === undefined ? {} : { relation }) };
          const text = sentenceText(spec, rng);
          expect(parseQuery(text), text).toEqual(spec);
        }
      }
    }
    for (const corners of [3, 4, 6, 10, 12]) expect(parseQuery(sentenceText({ target: { corners } }, rng))).toEqual({ target: { corners } });
  });

  it('resolves relations on hand-placed objects from the viewer\'s point of view', () => {
    const objects = [view('circle', 'red', 50, 50), view('star', 'blue', 150, 50), view('circle', 'green', 250, 50), view('square', 'red', 150, 200, 40)];
    const resolve = (text: string): number[] => resolveQuery(parseQuery(text) ?? { target: { shape: 'ring' } }, objects);
    expect(resolve('the circle to the left of the star')).toEqual([0]);
    expect(resolve('the circle to the right of the star')).toEqual([2]);
    expect(resolve('the star between the red circle and the green circle')).toEqual([1]);
    expect(resolve('the object below the star')).toEqual([3]);
    expect(resolve('the rightmost circle')).toEqual([2]);
    expect(resolve('the largest red object')).toEqual([3]);
    expect(resolve('the object nearest to the square')).toEqual([1]);
    expect(resolve('the circle nearest to the purple star'), 'a missing anchor resolves nothing').toEqual([]);
  });

  it('gives every object a canonical phrase that resolves to it alone', () => {
    for (let seed = 500; seed < 540; seed += 1) {
      const { objects } = sceneObjects(seed);
      objects.forEach((_, index) => {
        const phrase = canonicalPhrase(objects, index);
        const found = resolveQuery(phraseToSpec(phrase) ?? { target: {} }, objects);
        expect(found, `seed ${seed}: "${phrase}"`).toEqual([index]);
      });
    }
  }, 60_000);
});
