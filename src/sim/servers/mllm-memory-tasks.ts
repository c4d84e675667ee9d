/**
 * Memory-side tasks of the simulated MLLM (answer_vqa, analyze_problem, lesson writing and merging,
 * answer judging). VQA answers come from solveVqa on the perceived objects; a problem's trap catches
 * the model at the configured rate, less often when a lesson in the context addresses that trap
 * (contains one of trapKeywords(trap)) — the simulation's version of "memory helps".
 */
import { parseOptionsLine, readLabelledBlock, readLabelledLine } from '../../core/index.js';
import { COLOURS, SHAPES, similarColours, solveVqa, trapKeywords } from '../world/index.js';
import type { ObjectView, VqaPitfall, VqaTrap } from '../world/index.js';
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

function addresses(lessons: readonly string[], trap: VqaTrap): boolean {
  const keywords = trapKeywords(trap);
  return lessons.some((lesson) => keywords.some((keyword) => lesson.toLowerCase().includes(keyword)));
}

function otherAnswer(correct: string, options: readonly string[], context: TaskContext): string {
  if (options.length > 1) {
    const letters = options.map((_, index) => String.fromCharCode(65 + index)).filter((letter) => letter !== correct);
    return context.rng.pick(letters);
  }
  const number = Number(correct);
  if (Number.isFinite(number)) return String(number + (context.rng.chance(0.5) ? 1 : -1));
  return context.rng.pick(COLOURS.map((colour) => colour.name).filter((name) => name !== correct));
}

export function answerVqa(context: TaskContext): TaskAnswer {
  const problem = readProblem(context);
  const solution = solveVqa(problem.question, problem.options, problem.objects);
  const lessons = contextLessons(context);
  const pitfall: VqaPitfall | undefined = solution.pitfalls.length === 0 ? undefined : context.rng.pick(solution.pitfalls);
  const error = context.noise.vqaError(context.rng, pitfall !== undefined, pitfall !== undefined && addresses(lessons, pitfall.trap));
  let answer = solution.answer;
  if (solution.answer === 'unknown') answer = otherAnswer('', problem.options, context);
  else if (error === 'trap' && pitfall !== undefined) answer = pitfall.wrongAnswer;
  else if (error === 'random') answer = otherAnswer(solution.answer, problem.options, context);
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
 * Aspects of the figure that bear on the question, as a model looking at the image would name them in
 * its analysis: derived from the perceived objects and the question only (never from a problem's tags).
 */
function visibleAspects(question: string, objects: readonly ObjectView[]): string[] {
  const lower = question.toLowerCase();
  const mentioned = objects.filter((object) => lower.includes(object.colour) || lower.includes(object.shape));
  const aspects: string[] = [];
  const counts = lower.includes('how many') || lower.includes('corner');
  if (counts && mentioned.some((object) => object.occluded === true)) aspects.push('partly hidden shapes covered by an overlapping object');
  const asksColour = /\bwhat colou?r\b/.test(lower);
  const named = COLOURS.map((colour) => colour.name).filter((name) => lower.includes(name));
  const pairs = new Set<string>();
  for (const colour of asksColour ? mentioned.map((object) => object.colour) : named) {
    for (const similar of similarColours(colour)) {
      if (objects.some((object) => object.colour === similar) || asksColour) pairs.add([colour, similar].sort().join(' and '));
    }
  }
  for (const pair of pairs) aspects.push(`similar colour shades ${pair}`);
  if (/\b(left|right)\b/.test(lower)) aspects.push("the viewer's left and right, not mirrored");
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

const TRAP_LESSONS: Record<Exclude<VqaTrap, 'none'>, { logic: string; visual: string }> = {
  occlusion: {
    logic: 'Count every object that matches, including ones partly hidden or covered by another object.',
    visual: 'Look for shapes that are partly covered by an overlapping object; an occluded shape still counts.',
  },
  'viewer-left': {
    logic: "Left and right mean the viewer's left and right in the image; never mirror the scene.",
    visual: "Read positions from the viewer's side: the left edge of the image is the viewer's left.",
  },
  'similar-colour': {
    logic: 'Before counting by colour, separate the similar colour pairs (orange/yellow, red/brown, green/teal).',
    visual: 'Compare the shade and hue of similar colours side by side before naming a colour.',
  },
};

/** Deliberately free of every trap keyword: what a model writes when it misdiagnoses the failure. */
const GENERIC_LESSON = 'Re-read the question and check each step of the computation before answering.';

/** The trap whose wrong answer the failed solution gave, if any. */
function diagnose(context: TaskContext): VqaTrap | undefined {
  const problem = readProblem(context);
  const given = (readLabelledLine(context.text, 'Answer') ?? '').replace(/\\boxed\{([^}]*)\}/, '$1').trim();
  const solution = solveVqa(problem.question, problem.options, problem.objects);
  return solution.pitfalls.find((pitfall) => pitfall.wrongAnswer.toLowerCase() === given.toLowerCase())?.trap;
}

function lessonFor(context: TaskContext, stream: 'logic' | 'visual'): { trap: VqaTrap | undefined; lesson: string } {
  const trap = diagnose(context);
  if (trap === undefined || trap === 'none' || context.noise.generationError(context.rng, 1)) return { trap: undefined, lesson: GENERIC_LESSON };
  // A reusable lesson names the kind of question, not the colours and shapes of the one that failed.
  const about = topics(readLabelledLine(context.text, 'Question') ?? '').join(', ');
  const lesson = TRAP_LESSONS[trap][stream];
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
  return { kind: 'json', value: { equivalent: same !== context.noise.verificationError(context.rng) } };
}
