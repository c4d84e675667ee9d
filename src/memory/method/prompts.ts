/**
 * The messages of every memory-method call, following the wire contract of src/core/tasks.ts: a first
 * system line `Task: <task>`, labelled single-line fields (`Question:`, `Options:`, `Answer:`, `Gold:`) and
 * a `Lessons:` block (one `- ` line per lesson, ended by an empty line). Labelled lines come after any
 * free text (a failed solution), because a reader takes the last `Label:` line. The wording follows the
 * ViLoMem paper's prompts: lessons before the question under a clear header, step-by-step reasoning, a
 * final `\boxed{}` answer.
 */
import type { ChatMessage, LessonStream } from '../../core/index.js';
import { formatOptionsLine, taskSystemLine } from '../../core/index.js';
import { questionLine } from './problem.js';
import type { MemoryProblem } from './problem.js';

export type SolveMode = 'baseline' | 'step' | 'memory';

export interface PromptLesson {
  stream: LessonStream;
  text: string;
}

function problemLines(problem: MemoryProblem): string[] {
  const lines = [`Question: ${questionLine(problem.question)}`];
  if (problem.options.length > 0) lines.push(`Options: ${formatOptionsLine(problem.options)}`);
  return lines;
}

function lessonsBlock(lessons: readonly PromptLesson[]): string[] {
  return ['Lessons:', ...lessons.map((lesson) => `- (${lesson.stream}) ${lesson.text.replace(/\s*\n\s*/g, ' ')}`), ''];
}

const ANSWER_FORMAT = [
  'End with exactly one final answer in \\boxed{} and nothing after it:',
  'for a multiple-choice question only the option letter (e.g. \\boxed{B}), otherwise only the number, word or expression.',
].join(' ');

export function analyzeProblemMessages(problem: MemoryProblem): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('analyze_problem'),
        'You analyse a math problem that comes with a figure. Do NOT solve it.',
        'Name its subject (e.g. counting, arithmetic, metric geometry - area, descriptive geometry, logic, graph theory, statistics)',
        'and its key concepts (short noun phrases: the objects, quantities and relations the problem is about,',
        'and what the figure shows that bears on the question).',
        'Reply with JSON {"subject": string, "concepts": string[]}.',
      ].join('\n'),
    },
    { role: 'user', content: problemLines(problem).join('\n') },
  ];
}

export interface SolverPromptOptions {
  mode: SolveMode;
  lessons?: readonly PromptLesson[];
  /** A zoomed crop is attached as the second image. */
  zoomed?: boolean;
}

export function answerVqaMessages(problem: MemoryProblem, options: SolverPromptOptions): ChatMessage[] {
  const instructions =
    options.mode === 'baseline'
      ? ['Answer the question about the image directly.', ANSWER_FORMAT]
      : [
          'Solve the problem about the image step by step (Step 1, Step 2, …): first state what the figure shows that matters',
          '(values, labels, shapes, positions), then reason to the answer.',
          ANSWER_FORMAT,
        ];
  const lessons = options.lessons ?? [];
  if (lessons.length > 0) {
    instructions.push(
      'The lessons below were learned from earlier mistakes on similar problems: (visual) lessons say how to read a kind of figure,',
      '(logic) lessons say which reasoning step tends to go wrong. Apply the ones that fit this problem; ignore the others.',
    );
  }
  const user: string[] = [];
  if (lessons.length > 0) user.push(...lessonsBlock(lessons));
  if (options.zoomed === true) user.push('The second image is an enlarged crop of the region the visual lessons point to.', '');
  user.push(...problemLines(problem));
  return [
    { role: 'system', content: [taskSystemLine('answer_vqa'), ...instructions].join('\n') },
    { role: 'user', content: user.join('\n') },
  ];
}

export interface FailureContext {
  problem: MemoryProblem;
  /** The solver's full response. */
  response: string;
  /** The final answer it gave (the boxed content). */
  given: string;
  subject: string;
  concepts: readonly string[];
  /**
   * The `Gold:` line when the problem carries no gold answer: the user's verdict alone ("unknown — …") or
   * the answer the model's own check found (label-free). Default: the problem's answer.
   */
  gold?: string;
}

function failureLines(failure: FailureContext): string[] {
  const gold = failure.gold ?? failure.problem.answer ?? '';
  return [
    'Failed solution:',
    failure.response.trim(),
    '',
    ...problemLines(failure.problem),
    `Subject: ${failure.subject}`,
    `Key concepts: ${failure.concepts.join(', ')}`,
    `Answer: \\boxed{${failure.given}}`,
    `Gold: ${gold}`,
  ];
}

export function writeLogicLessonMessages(failure: FailureContext): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('write_logic_lesson'),
        'A solution to the problem below gave a wrong answer (Answer) instead of the correct one (Gold). Find the main mistake.',
        'Classify it: "logical" for any error in the reasoning itself (a calculation, a misapplied formula or theorem, a wrong inference,',
        'a misunderstood concept), which the text of the solution alone shows; "visual" for an error that only the image can reveal',
        '(a misread value, a missed or misidentified shape, a wrong position).',
        'For a logical error, write a guideline (the lesson) that prevents this kind of mistake in other problems:',
        '- specific: name the principle, theorem, formula or reasoning pattern that was misused;',
        '- actionable: a rule of thumb ("When …, …", "Always check …", "Distinguish … from …");',
        '- general: no numbers or details that only this problem has;',
        '- 1-2 sentences. Vague advice ("be careful", "avoid calculation errors", "read the question again") is useless.',
        'For a visual error, leave the lesson empty.',
        'Reply with JSON {"errorType": "logical" | "visual", "lesson": string}.',
      ].join('\n'),
    },
    { role: 'user', content: failureLines(failure).join('\n') },
  ];
}

export function writeVisualLessonMessages(failure: FailureContext): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('write_visual_lesson'),
        'A solution to the problem below gave a wrong answer (Answer) instead of the correct one (Gold).',
        'First describe the attached image to yourself objectively (elements, labels, values, shapes and how they relate), then compare it',
        'with the failed solution to find what was misperceived or overlooked.',
        'Write one rule (the lesson, 1-2 sentences) for reading that kind of visual pattern correctly in other figures: where to look,',
        'what to count, compare or not assume, what is easy to miss. It must be about the figure, not about calculation;',
        '"look more carefully" is not a rule.',
        'Reply with JSON {"lesson": string}: the rule only.',
      ].join('\n'),
    },
    { role: 'user', content: failureLines(failure).join('\n') },
  ];
}

/**
 * Label-free memory: the model checks its own earlier answer by working the problem again (an answer_vqa
 * call, so every server that answers the method's questions answers this one). Only the earlier final
 * answer is shown, not its reasoning, so the check reads the figure afresh instead of re-reading the
 * argument; the verifier then compares the two final answers (learn.ts).
 */
export function checkAnswerMessages(problem: MemoryProblem, given: string): ChatMessage[] {
  const instructions = [
    'An earlier answer to the problem about the image is given below, without its reasoning and without the correct answer.',
    'Check it: solve the problem again yourself step by step, reading the values, labels and shapes in the figure afresh;',
    'do not assume the earlier answer is right.',
    ANSWER_FORMAT.replace('one final answer', 'one final answer (the one you reach, whether or not it is the earlier one)'),
  ];
  return [
    { role: 'system', content: [taskSystemLine('answer_vqa'), ...instructions].join('\n') },
    { role: 'user', content: [`Earlier answer: \\boxed{${given}}`, '', ...problemLines(problem)].join('\n') },
  ];
}

export function mergeLessonsMessages(stream: LessonStream, texts: readonly string[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('merge_lessons'),
        `Merge these ${stream} lessons into ONE more general lesson that covers all of them.`,
        'Keep every entity, name, label and number that appears in any of them, and every condition; drop only repetition.',
        'Reply with JSON {"lesson": string}.',
      ].join('\n'),
    },
    { role: 'user', content: ['Lessons:', ...texts.map((text) => `- ${text.replace(/\s*\n\s*/g, ' ')}`), ''].join('\n') },
  ];
}

export function zoomRegionMessages(problem: MemoryProblem, lessons: readonly PromptLesson[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('zoom_region'),
        'The lessons say which visual details are easy to get wrong in problems like this one.',
        'Return the box of the image region that most needs a close look to answer the question, in your usual box coordinates.',
        'Reply with JSON {"bbox_2d": [x1, y1, x2, y2]}.',
      ].join('\n'),
    },
    { role: 'user', content: [...lessonsBlock(lessons), ...problemLines(problem)].join('\n') },
  ];
}
