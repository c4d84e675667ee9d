/** A visual question as the memory method sees it (MATH-V records and SynthWorld VQA both map onto it). */
import type { RgbImage } from '../../core/index.js';

export { lastBoxedContent } from '../verify/boxed.js';

export interface MemoryProblem {
  id: string;
  question: string;
  /** Option texts; [] for free-form. */
  options: readonly string[];
  image: RgbImage;
  /** Path or id of the image, kept as the source image of lessons written from this problem. */
  imageRef: string;
  /** Gold answer (a letter for multiple choice); without it nothing is verified and nothing is written. */
  answer?: string;
  subject?: string;
  level?: number;
}

/** The question on one line: labelled lines (`Question: …`) are single lines by contract. */
export function questionLine(question: string): string {
  return question.replace(/\s*\n\s*/g, ' ').trim();
}

/** A MATH-V record (see loadMathVDataset) with its decoded image, as a problem of the method. */
export function mathVProblem(
  record: { id: string; question: string; options: string[]; answer: string; image: string; subject?: string | undefined; level?: number | undefined },
  image: RgbImage,
): MemoryProblem {
  const problem: MemoryProblem = { id: record.id, question: record.question, options: record.options, image, imageRef: record.image, answer: record.answer };
  if (record.subject !== undefined) problem.subject = record.subject;
  if (record.level !== undefined) problem.level = record.level;
  return problem;
}
