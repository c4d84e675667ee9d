/**
 * The MATH-V jsonl layout (`id, question, options, answer, solution, level, subject, image`), validated
 * with zod; image paths resolve relative to the jsonl's folder. SynthWorld's MATH-V exporter writes the
 * same layout.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { mmevolveError } from '../../core/index.js';

const mathVRecordSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number().int()]).transform(String),
  question: z.string(),
  options: z.array(z.string()),
  answer: z.union([z.string(), z.number()]).transform(String),
  solution: z.string().nullish(),
  level: z.number().int().min(1).max(5).optional(),
  subject: z.string().optional(),
  image: z.string().min(1),
});

export interface MathVRecord {
  id: string;
  question: string;
  /** [] for free-form. */
  options: string[];
  /** A letter A–E for multiple choice, else the value. */
  answer: string;
  solution: string | null;
  level: number | undefined;
  subject: string | undefined;
  /** As written in the file. */
  image: string;
  /** Absolute path of the image. */
  imagePath: string;
}

/** Reads every record; throws invalid-dataset naming the line for a malformed one, not-found for a missing image. */
export async function loadMathVDataset(jsonlPath: string, options: { checkImages?: boolean } = {}): Promise<MathVRecord[]> {
  let text: string;
  try {
    text = await readFile(jsonlPath, 'utf8');
  } catch (cause) {
    throw mmevolveError('not-found', `cannot read dataset ${jsonlPath}`, 'pass the path of a MATH-V style .jsonl file', cause);
  }
  const folder = dirname(resolve(jsonlPath));
  const records: MathVRecord[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw mmevolveError('invalid-dataset', `${jsonlPath} line ${index + 1} is not JSON`, 'a MATH-V dataset has one JSON object per line', cause);
    }
    const parsed = mathVRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw mmevolveError(
        'invalid-dataset',
        `${jsonlPath} line ${index + 1}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid record'}`,
        'each record needs id, question, options (list), answer and image',
      );
    }
    const record = parsed.data;
    if (seen.has(record.id)) throw mmevolveError('invalid-dataset', `${jsonlPath} line ${index + 1}: duplicate id ${record.id}`, 'ids must be unique');
    seen.add(record.id);
    const imagePath = isAbsolute(record.image) ? record.image : resolve(folder, record.image);
    if (options.checkImages !== false && !existsSync(imagePath)) {
      throw mmevolveError('not-found', `${jsonlPath} line ${index + 1}: image ${record.image} not found (${imagePath})`, 'image paths resolve relative to the jsonl file');
    }
    records.push({
      id: record.id,
      question: record.question,
      options: record.options,
      answer: record.answer,
      solution: record.solution ?? null,
      level: record.level,
      subject: record.subject,
      image: record.image,
      imagePath,
    });
  }
  return records;
}
