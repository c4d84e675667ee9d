/**
 * VQA problems over a scene, with gold answers and hidden tags (skill tested, trap contained). The gold
 * answer is solveVqa on the ground truth; a problem is tagged with a trap only when that trap changes the
 * answer of a model falling into it, and questions whose answer a few pixels of perception error could
 * flip are not asked.
 */
import { filterIndices, resolveQuery } from './query-spec.js';
import type { ObjectFilter } from './query-spec.js';
import type { Rng } from './rng.js';
import { solveVqa } from './vqa-solve.js';
import type { VqaSkill, VqaTrap } from './vqa-solve.js';
import { COLOUR_NAMES, SHAPE_TRAITS } from './vocabulary.js';
import type { ObjectView } from './vocabulary.js';

export interface VqaProblem {
  readonly question: string;
  /** [] for free-form; otherwise the texts of options A, B, … */
  readonly options: string[];
  /** A letter for multiple-choice, else the value (a number or a colour name). */
  readonly answer: string;
  readonly skill: VqaSkill;
  readonly trap: VqaTrap;
  /** MATH-V style subject and level 1–5. */
  readonly subject: string;
  readonly level: number;
}

interface Candidate {
  readonly question: string;
  readonly options: string[];
  readonly skill: VqaSkill;
  readonly level: number;
}

const SUBJECTS: Readonly<Record<VqaSkill, string>> = {
  counting: 'counting',
  'area-comparison': 'metric geometry - area',
  'attribute-arithmetic': 'arithmetic',
  spatial: 'descriptive geometry',
  'colour-recognition': 'logic',
};

const IMAGE_TAG = '\n<image1>';
/** Minimum centroid gap (px) between the extreme object and the runner-up for left/right questions. */
const EXTREME_GAP = 8;
/** Minimum area ratio for "which is larger" questions. */
const AREA_RATIO = 1.3;

function plural(filter: ObjectFilter): string {
  const noun = filter.shape === undefined ? 'objects' : filter.shape === 'cross' ? 'crosses' : `${filter.shape}s`;
  return filter.colour === undefined ? noun : `${filter.colour} ${noun}`;
}

function uniqueDescription(objects: readonly ObjectView[], index: number): string | undefined {
  const object = objects[index] as ObjectView;
  const filter = { colour: object.colour, shape: object.shape };
  return filterIndices(objects, filter).length === 1 ? `the ${object.colour} ${object.shape}` : undefined;
}

function numberOptions(values: readonly string[], rng: Rng): string[] {
  const set = new Set(values.map(Number));
  const gold = Number(values[0] ?? 0);
  for (let step = 1; set.size < 5; step += 1) {
    if (rng.chance(0.5) || gold - step < 0) set.add(gold + step);
    else set.add(gold - step);
  }
  return [...set].slice(0, 5).sort((a, b) => a - b).map(String);
}

function candidates(objects: readonly ObjectView[], rng: Rng): Candidate[] {
  const list: Candidate[] = [];
  const free = (question: string, skill: VqaSkill, level: number): void => {
    list.push({ question: question + IMAGE_TAG, options: [], skill, level });
  };
  const shapes = [...new Set(objects.map((object) => object.shape))];
  const colours = [...new Set(objects.map((object) => object.colour))];
  const countFilters: ObjectFilter[] = [
    {},
    ...shapes.map((shape) => ({ shape })),
    ...colours.map((colour) => ({ colour })),
    ...objects.map((object) => ({ colour: object.colour, shape: object.shape })),
  ];
  for (const filter of countFilters) free(`How many ${plural(filter)} are there in the image?`, 'counting', 1 + Object.keys(filter).length);
  for (const filter of [{}, ...colours.map((colour) => ({ colour })), ...shapes.filter((shape) => SHAPE_TRAITS[shape].corners > 0).map((shape) => ({ shape }))]) {
    free(`What is the total number of corners of all the ${plural(filter)} in the image? (Circles and rings have no corners.)`, 'attribute-arithmetic', 3);
  }
  for (const first of shapes) {
    for (const second of shapes) {
      const difference = filterIndices(objects, { shape: first }).length - filterIndices(objects, { shape: second }).length;
      if (difference > 0) free(`How many more ${plural({ shape: first })} than ${plural({ shape: second })} are there in the image?`, 'counting', 2);
    }
  }
  objects.forEach((object, index) => {
    const description = uniqueDescription(objects, index);
    if (description === undefined) return;
    const anchor: ObjectFilter = { colour: object.colour, shape: object.shape };
    for (const side of ['left', 'right'] as const) {
      const kind = side === 'left' ? 'left-of' : 'right-of';
      const counts = [0, 4, -4].map((slack) => resolveQuery({ target: {}, relation: { kind, anchor } }, objects, { slack }).length);
      if (new Set(counts).size === 1) free(`How many objects are to the ${side} of ${description}?`, 'spatial', 3);
    }
    if (filterIndices(objects, { shape: object.shape }).length !== 1) return;
    if (rng.chance(0.5)) {
      free(`What colour is the ${object.shape}?`, 'colour-recognition', 1);
      return;
    }
    const others = rng.shuffle(COLOUR_NAMES.filter((name) => name !== object.colour)).slice(0, 4);
    list.push({
      question: `What colour is the ${object.shape}?${IMAGE_TAG}`,
      options: rng.shuffle([object.colour, ...others]),
      skill: 'colour-recognition',
      level: 1,
    });
  });
  const described = objects.flatMap((_, index) => (uniqueDescription(objects, index) === undefined ? [] : [index]));
  for (const a of described) {
    for (const b of described) {
      const first = objects[a] as ObjectView;
      const second = objects[b] as ObjectView;
      const decisive = Math.max(first.area, second.area) >= AREA_RATIO * Math.min(first.area, second.area);
      if (a >= b || !decisive || first.occluded === true || second.occluded === true) continue;
      const options = [uniqueDescription(objects, a) ?? '', uniqueDescription(objects, b) ?? ''];
      list.push({ question: `Which is larger, ${options[0]} or ${options[1]}?${IMAGE_TAG}`, options, skill: 'area-comparison', level: 2 });
    }
  }
  const byX = objects.map((object, index) => ({ x: object.centroid[0], index })).sort((p, q) => p.x - q.x);
  const decisive = byX.length >= 3 && (byX[1]?.x ?? 0) - (byX[0]?.x ?? 0) >= EXTREME_GAP && (byX.at(-1)?.x ?? 0) - (byX.at(-2)?.x ?? 0) >= EXTREME_GAP;
  if (decisive) {
    for (const side of ['left', 'right'] as const) {
      free(`What colour is the object farthest to the ${side} in the image?`, 'spatial', 2);
      const ends = [byX[0]?.index ?? 0, byX.at(-1)?.index ?? 0];
      const middle = rng.shuffle(described.filter((index) => !ends.includes(index))).slice(0, 3);
      const options = [...ends, ...middle].map((index) => uniqueDescription(objects, index));
      if (options.every((option) => option !== undefined)) {
        list.push({ question: `Which object is farthest to the ${side} in the image?${IMAGE_TAG}`, options: rng.shuffle(options as string[]), skill: 'spatial', level: 2 });
      }
    }
  }
  return list;
}

/** Multiple-choice versions of numeric free-form candidates, half of the time. */
function withOptions(candidate: Candidate, objects: readonly ObjectView[], rng: Rng): Candidate {
  if (candidate.options.length > 0 || !rng.chance(0.5)) return candidate;
  const solved = solveVqa(candidate.question, [], objects);
  if (!/^-?\d+$/.test(solved.answer)) return candidate;
  return { ...candidate, options: numberOptions([solved.answer, ...solved.pitfalls.map((pitfall) => pitfall.wrongAnswer)], rng) };
}

/**
 * One problem for a scene, aiming at `trap` when the scene allows it (else any question, tagged with the
 * trap it actually contains, or 'none').
 */
export function generateVqaProblem(objects: readonly ObjectView[], rng: Rng, trap?: VqaTrap): VqaProblem {
  const wanted: VqaTrap = trap ?? rng.pick(['none', 'none', 'occlusion', 'viewer-left', 'similar-colour'] as const);
  const pool = candidates(objects, rng);
  const traps = (candidate: Candidate): VqaTrap[] => solveVqa(candidate.question, candidate.options, objects).pitfalls.map((pitfall) => pitfall.trap);
  const fitting = pool.filter((candidate) => (wanted === 'none' ? traps(candidate).length === 0 : traps(candidate).includes(wanted)));
  const chosen = withOptions(rng.pick(fitting.length > 0 ? fitting : pool), objects, rng);
  const solution = solveVqa(chosen.question, chosen.options, objects);
  const found = solution.pitfalls.map((pitfall) => pitfall.trap);
  const tag: VqaTrap = found.includes(wanted) ? wanted : (found[0] ?? 'none');
  return {
    question: chosen.question,
    options: chosen.options,
    answer: solution.answer,
    skill: chosen.skill,
    trap: tag,
    subject: SUBJECTS[chosen.skill],
    // The level must not depend on the trap: problems.jsonl is visible to the model side, tags are not.
    level: chosen.level,
  };
}
