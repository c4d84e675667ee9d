/**
 * canonicalPhrase: the shortest referring phrase that picks out one object among the others — what a
 * perfect planner would send to a segmenter ("the blue star", "the largest red circle").
 */
import { ORDINALS } from './relations.js';
import { resolveQuery } from './query-spec.js';
import type { QuerySpec } from './query-spec.js';
import { isDecisive } from './queries.js';
import { phraseText } from './query-text.js';
import type { ObjectView } from './vocabulary.js';

/** Candidate specs for an object, shortest first. */
function candidateSpecs(object: ObjectView): QuerySpec[] {
  const byShape = { shape: object.shape };
  const byBoth = { colour: object.colour, shape: object.shape };
  return [
    { target: byShape },
    { target: byBoth },
    ...ORDINALS.map((ordinal) => ({ target: byShape, ordinal })),
    ...ORDINALS.map((ordinal) => ({ target: byBoth, ordinal })),
  ];
}

/**
 * The first candidate that resolves to exactly this object with a safety margin; failing that, the
 * first that resolves exactly; failing that (identical twins), colour and shape alone.
 */
export function canonicalPhrase(objects: readonly ObjectView[], index: number): string {
  const object = objects[index];
  if (object === undefined) return 'the object';
  const candidates = candidateSpecs(object);
  const decisive = candidates.find((spec) => isDecisive(spec, objects, [index]));
  if (decisive !== undefined) return phraseText(decisive);
  const exact = candidates.find((spec) => {
    const found = resolveQuery(spec, objects);
    return found.length === 1 && found[0] === index;
  });
  return phraseText(exact ?? { target: { colour: object.colour, shape: object.shape } });
}
