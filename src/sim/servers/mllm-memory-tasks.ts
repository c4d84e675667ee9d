/**
 * Memory-side tasks of the simulated MLLM (answer_vqa, analyze_problem, lesson writing and merging,
 * answer judging). VQA answers come from solveVqa on the perceived objects. The solver's errors are latent
 * per (image, question): a misreading more likely on harder questions, and a fall into a trap the problem
 * contains (as the solver perceives it); a lesson prevents the fall only when it names something the solver
 * can act on that applies here (lesson-reading.ts) — never because it shares words with the problem.
 */
import { parseOptionsLine, readLabelledBlock, readLabelledLine } from '../../core/index.js';
import { COLOURS, SHAPES, filterIndices, parseQuery, similarColours, solveVqa } from '../world/index.js';
import type { ObjectView, Rng, VqaPitfall, VqaTrap } from '../world/index.js';
import type { Difficulty } from '../noise/index.js';
import { confusablePair, lessonsApply } from './lesson-reading.js';
import type { TaskAnswer, TaskContext } from './task-context.js';

interface Problem {
  question: string;
  options: string[];
  objects: ObjectView[];
}

function readProblem(context: TaskContext): Problem {
  const question = readLabelledLine(context.text, 'Question') ?? context.text;
  const options = parseOptionsLine(readLabelledLine(context.text, 'Options') ?? '').map((option) => option.text);
  return { question, options, objects: context.images[0]?.objects() ?? [] };
}

/** Lessons anywhere in the conversation (system or user turns). */
function contextLessons(context: TaskContext): string[] {
  return context.turns.flatMap((turn) => readLabelledBlock(turn.text, 'Lessons'));
}

function otherAnswer(correct: string, options: readonly string[], rng: Rng): string {
  if (options.length > 1) {
    const letters = options.map((_, index) => String.fromCharCode(65 + index)).filter((letter) => letter !== correct);
    return rng.pick(letters);
  }
  const number = Number(correct);
  if (Number.isFinite(number) && correct !== '') return String(number + (rng.chance(0.5) ? 1 : -1));
  return rng.pick(COLOURS.map((colour) => colour.name).filter((name) => name !== correct));
}

/** Reasoning steps a question template takes (a count is one, a difference or a relation two, …). */
function questionSteps(question: string): number {
  const lower = question.toLowerCase();
  if (/how many more|to the (left|right) of|total number of corners|colou?r is the object farthest/.test(lower)) return 2;
  if (/how many|which is larger|farthest/.test(lower)) return 1;
  return 0;
}

/** Difficulty of a VQA question as perceived: the objects it is about, their occlusion, size and look-alikes. */
export function vqaDifficulty(question: string, objects: readonly ObjectView[], width: number, height: number): Difficulty {
  const lower = question.toLowerCase();
  const mentioned = objects.filter((object) => lower.includes(object.colour) || lower.includes(object.shape));
  const about = mentioned.length > 0 ? mentioned : objects;
  const filter = parseQuery(lower.replace(/^.*?\b(how many( more)?|of all the|colou?r is)\s+/, ''))?.target;
  const sameCategory = filter?.shape === undefined ? 0 : filterIndices(objects, { shape: filter.shape }).filter((index) => objects[index]?.colour !== filter.colour).length;
  const partners = filter?.colour === undefined ? 0 : similarColours(filter.colour).reduce((sum, colour) => sum + objects.filter((object) => object.colour === colour).length, 0);
  return {
    steps: questionSteps(question),
    occluded: about.some((object) => object.occluded === true),
    targetAreaFraction: about.length === 0 ? 1 : Math.min(...about.map((object) => object.area)) / Math.max(1, width * height),
    sameCategoryDistractors: sameCategory + partners,
  };
}

export function answerVqa(context: TaskContext): TaskAnswer {
  const problem = readProblem(context);
  const raw = context.images[0];
  const solution = solveVqa(problem.question, problem.options, problem.objects);
  const lessons = contextLessons(context);
  // Latent: the same misreading and the same trap in every call about this image and question.
  const latent = context.latent('vqa', raw, `${problem.question}|${problem.options.join('|')}`);
  const difficulty = vqaDifficulty(problem.question, problem.objects, raw?.image.width ?? 1, raw?.image.height ?? 1);
  const misread = context.noise.misreads(latent, 'vqa', difficulty);
  const misreadAnswer = otherAnswer(solution.answer, problem.options, latent);
  const pitfall: VqaPitfall | undefined = solution.pitfalls.length === 0 ? undefined : latent.pick(solution.pitfalls);
  const applies = pitfall !== undefined && lessonsApply(lessons, pitfall.trap, problem.question, problem.objects);
  const trapped = pitfall !== undefined && context.noise.vqaTrap(latent, applies);
  let answer = solution.answer;
  if (solution.answer === 'unknown') answer = otherAnswer('', problem.options, context.rng);
  else if (trapped) answer = pitfall.wrongAnswer;
  else if (misread) answer = misreadAnswer;
  else if (context.noise.perCallError(context.rng)) answer = otherAnswer(solution.answer, problem.options, context.rng);
  const seen = problem.objects.map((object) => `${object.colour} ${object.shape}`).join(', ');
  const text = [
    `(simulated reasoning) I see ${problem.objects.length} objects: ${seen || 'none'}.`,
    lessons.length > 0 ? `I keep in mind ${lessons.length} lesson(s) from memory.` : 'I work through the question step by step.',
    `Therefore the answer is \\boxed{${answer}}.`,
  ].join('\n');
  return { kind: 'text', text };
}

function concepts(question: string): string[] {
  const lower = question.toLowerCase();
  const found: string[] = [];
  for (const colour of COLOURS) if (lower.includes(colour.name)) found.push(colour.name);
  for (const shape of SHAPES) if (lower.includes(shape)) found.push(shape);
  return [...found, ...topics(question)];
}

/** What kind of question it is, without its colours and shapes (what a reusable lesson is about). */
function topics(question: string): string[] {
  const lower = question.toLowerCase();
  const found: string[] = [];
  if (lower.includes('how many')) found.push('counting');
  if (lower.includes('corner')) found.push('corners');
  if (lower.includes('larger') || lower.includes('area')) found.push('area');
  if (/\b(left|right)\b/.test(lower)) found.push('position');
  return found;
}

/**
 * Aspects of the figure that bear on the question, as a model looking at the image describes them in its
 * analysis: perceived facts (shapes that overlap, look-alike colours side by side, positions along the
 * horizontal), never a diagnosis or a remedy, and never from a problem's tags.
 */
function visibleAspects(question: string, objects: readonly ObjectView[]): string[] {
  const lower = question.toLowerCase();
  const mentioned = objects.filter((object) => lower.includes(object.colour) || lower.includes(object.shape));
  const aspects: string[] = [];
  const counts = lower.includes('how many') || lower.includes('corner');
  if (counts && mentioned.some((object) => object.occluded === true)) aspects.push('overlapping shapes');
  const pair = confusablePair(question, objects);
  if (pair !== undefined) aspects.push(`${pair[0]} and ${pair[1]} objects`);
  if (/\b(left|right)\b/.test(lower)) aspects.push('positions from left to right');
  return aspects;
}

function subject(question: string): string {
  const lower = question.toLowerCase();
  if (lower.includes('corner')) return 'arithmetic';
  if (/\b(left|right)\b/.test(lower)) return 'descriptive geometry';
  if (lower.includes('how many')) return 'counting';
  if (lower.includes('larger')) return 'metric geometry - area';
  return 'logic';
}

export function analyzeProblem(context: TaskContext): TaskAnswer {
  const question = readLabelledLine(context.text, 'Question') ?? context.text;
  const objects = context.images[0]?.objects() ?? [];
  return { kind: 'json', value: { subject: subject(question), concepts: [...concepts(question), ...visibleAspects(question, objects)] } };
}

/**
 * The lesson a model writes once it has seen which misreading made it fail: content a solver can act on
 * (an operator rule, a region, the specific colour pair confused), phrased for reuse.
 */
function trapLesson(trap: Exclude<VqaTrap, 'none'>, stream: 'logic' | 'visual', pair: readonly [string, string] | undefined): string {
  switch (trap) {
    case 'occlusion':
      return stream === 'logic' ? 'Count every object that matches, including ones partly covered by another object.' : 'Look where shapes overlap: a partly covered shape still counts.';
    case 'viewer-left':
      return stream === 'logic'
        ? 'Left and right mean the left and right of the image as shown; never mirror the scene.'
        : "Read positions in the image's own frame: the object nearest the left edge of the image is the leftmost.";
    case 'similar-colour': {
      const [a, b] = pair ?? ['orange', 'yellow'];
      return stream === 'logic' ? `Distinguish ${a} from ${b} before counting either colour.` : `Tell ${a} apart from ${b} by comparing the two hues side by side.`;
    }
  }
}

/** What a model writes when it misdiagnoses the failure: advice without anything to act on. */
const GENERIC_LESSON = 'Re-read the question and check each step of the computation before answering.';

/** The trap whose wrong answer the failed solution gave, if any (from the perceived objects). */
function diagnose(context: TaskContext): VqaTrap | undefined {
  const problem = readProblem(context);
  const given = (readLabelledLine(context.text, 'Answer') ?? '').replace(/\\boxed\{([^}]*)\}/, '$1').trim();
  const solution = solveVqa(problem.question, problem.options, problem.objects);
  return solution.pitfalls.find((pitfall) => pitfall.wrongAnswer.toLowerCase() === given.toLowerCase())?.trap;
}

/** A writer misdiagnoses a failure as often as a planner misreads a one-step query of no other difficulty. */
const WRITER_DIFFICULTY: Difficulty = { steps: 1, occluded: false, targetAreaFraction: 1, sameCategoryDistractors: 0 };

function lessonFor(context: TaskContext, stream: 'logic' | 'visual'): { trap: VqaTrap | undefined; lesson: string } {
  const trap = diagnose(context);
  if (trap === undefined || trap === 'none' || context.rng.chance(context.noise.misreadingRate('planner', WRITER_DIFFICULTY))) return { trap: undefined, lesson: GENERIC_LESSON };
  const problem = readProblem(context);
  // A reusable lesson names the kind of question, not the shapes of the one that failed.
  const about = topics(problem.question).join(', ');
  const lesson = trapLesson(trap, stream, confusablePair(problem.question, problem.objects));
  return { trap, lesson: about === '' ? lesson : `${lesson} (questions about ${about})` };
}

export function writeLogicLesson(context: TaskContext): TaskAnswer {
  const { trap, lesson } = lessonFor(context, 'logic');
  const visual = trap === 'occlusion' || trap === 'similar-colour';
  return { kind: 'json', value: { errorType: visual ? 'visual' : 'logical', lesson } };
}

export function writeVisualLesson(context: TaskContext): TaskAnswer {
  return { kind: 'json', value: { lesson: lessonFor(context, 'visual').lesson } };
}

/** Concatenation keeps every entity and number of the sources (the merge is checked for that). */
export function mergeLessons(context: TaskContext): TaskAnswer {
  const lessons = readLabelledBlock(context.text, 'Lessons');
  return { kind: 'json', value: { lesson: lessons.join(' Also: ') } };
}

function normaliseAnswer(text: string): string {
  const boxed = /\\boxed\{([^}]*)\}/.exec(text)?.[1] ?? text;
  return boxed.trim().toLowerCase().replace(/[.\s]+$/, '').replace(/^\(?([a-z])\)$/, '$1');
}

export function judgeAnswer(context: TaskContext): TaskAnswer {
  const answer = normaliseAnswer(readLabelledLine(context.text, 'Answer') ?? '');
  const gold = normaliseAnswer(readLabelledLine(context.text, 'Gold') ?? '');
  const numeric = Number(answer);
  const goldNumber = Number(gold);
  const same = answer !== '' && (answer === gold || (Number.isFinite(numeric) && Number.isFinite(goldNumber) && Math.abs(numeric - goldNumber) < 0.005));
  return { kind: 'json', value: { equivalent: same !== context.noise.perCallError(context.rng) } };
}
