/**
 * How the simulated VQA solver reads lessons in its context. A lesson changes an answer only through
 * content the solver can act on, and only when that content applies to the problem at hand:
 * - a confusion between two perceived attributes: a sentence that names both colours of a similar pair
 *   and contrasts them ("distinguish orange from yellow") — it applies when the solver's trap is confusing
 *   exactly that pair in this problem;
 * - a rule for an operator: counting that includes partly hidden objects ("count … including ones partly
 *   covered …"), or left/right read in the image's frame ("left and right mean the image's left and
 *   right") — it applies when this problem counts objects one of which is partly hidden, or asks left/right;
 * - a region to look at: where shapes overlap ("look where shapes overlap") — it applies as the counting
 *   rule does.
 * Anything else — a list of words, advice without an operator, a rule for another operator or another
 * colour pair — does nothing, however many words it shares with the problem.
 */
import { COLOUR_NAMES, SIMILAR_COLOUR_PAIRS, similarColours } from '../world/index.js';
import type { ColourName, ObjectView, VqaTrap } from '../world/index.js';

export type LessonItem =
  | { kind: 'confusion'; colours: readonly [ColourName, ColourName] }
  | { kind: 'counting-includes-hidden' }
  | { kind: 'look-at-overlaps' }
  | { kind: 'left-right-in-image-frame' };

const CONTRAST = /\b(distinguish|separate|tell apart|apart|confus\w*|mistak\w*|compare|versus|vs|from)\b/;
const COUNTING = /\b(count\w*|how many|number of|total)\b/;
const HIDDEN = /\b(partly|partially|hidden|covered|occluded|overlap\w*|behind|underneath)\b/;
const INCLUSIVE = /\b(include\w*|still|also|every|all)\b/;
const LOOK = /\b(look|check|inspect|examine|search)\w*\b/;
const OVERLAP_PLACE = /\bwhere\b.*\b(overlap\w*|cover\w*|on top)\b/;
const LEFT_RIGHT = /\b(left|right)\b/;
const FRAME = /\b(image|picture|figure|drawing|page|viewer)\b/;
const ASSERTION = /\b(means?|is|are|read|never|not|as shown|as seen)\b/;

function sentences(lesson: string): string[] {
  return lesson
    .toLowerCase()
    .split(/[.;!?]|\balso:/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

function namedColours(sentence: string): ColourName[] {
  return COLOUR_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(sentence));
}

/** The actionable items of one lesson (possibly none). */
export function readLesson(lesson: string): LessonItem[] {
  const items: LessonItem[] = [];
  for (const sentence of sentences(lesson)) {
    const colours = namedColours(sentence);
    if (CONTRAST.test(sentence)) {
      for (const [a, b] of SIMILAR_COLOUR_PAIRS) if (colours.includes(a) && colours.includes(b)) items.push({ kind: 'confusion', colours: [a, b] });
    }
    if (COUNTING.test(sentence) && HIDDEN.test(sentence) && INCLUSIVE.test(sentence)) items.push({ kind: 'counting-includes-hidden' });
    if (LOOK.test(sentence) && OVERLAP_PLACE.test(sentence)) items.push({ kind: 'look-at-overlaps' });
    if (LEFT_RIGHT.test(sentence) && FRAME.test(sentence) && ASSERTION.test(sentence)) items.push({ kind: 'left-right-in-image-frame' });
  }
  return items;
}

/** The similar-colour pair a solver may confuse in this question: a colour it names or asks for, and its partner. */
export function confusablePair(question: string, objects: readonly ObjectView[]): readonly [ColourName, ColourName] | undefined {
  const lower = question.toLowerCase();
  const named = COLOUR_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(lower));
  const asked = /\bwhat colou?r\b/.test(lower) ? objects.filter((object) => lower.includes(object.shape)).map((object) => object.colour) : [];
  for (const colour of [...named, ...asked]) {
    const partner = similarColours(colour).find((similar) => asked.length > 0 || objects.some((object) => object.colour === similar));
    if (partner !== undefined) return [colour, partner];
  }
  return undefined;
}

/** Whether one item addresses the misreading behind `trap` in this question. */
function itemApplies(item: LessonItem, trap: VqaTrap, question: string, objects: readonly ObjectView[]): boolean {
  const lower = question.toLowerCase();
  switch (item.kind) {
    case 'confusion': {
      const pair = confusablePair(question, objects);
      return trap === 'similar-colour' && pair !== undefined && item.colours.includes(pair[0]) && item.colours.includes(pair[1]);
    }
    case 'counting-includes-hidden':
    case 'look-at-overlaps':
      return trap === 'occlusion' && /\b(how many|corners)\b/.test(lower);
    case 'left-right-in-image-frame':
      return trap === 'viewer-left' && /\b(left|right)\b/.test(lower);
  }
}

/** True when some lesson names something the solver can act on against this trap in this problem. */
export function lessonsApply(lessons: readonly string[], trap: VqaTrap, question: string, objects: readonly ObjectView[]): boolean {
  return lessons.some((lesson) => readLesson(lesson).some((item) => itemApplies(item, trap, question, objects)));
}
