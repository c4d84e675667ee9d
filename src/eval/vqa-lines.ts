/** One results line of `mmevolve eval-vqa`: the verdict, the lessons used/written/merged and the calls. */
import { z } from 'zod';
import { callDigestSchema } from './call-digest.js';
import { resultLineBaseSchema } from './run-store.js';

const lessonReferenceSchema = z.object({ id: z.string(), stream: z.enum(['visual', 'logic']) });

export const vqaLineSchema = resultLineBaseSchema.extend({
  kind: z.literal('vqa'),
  /** Position in the dataset (the online protocol's order). */
  index: z.number().int().nonnegative(),
  subject: z.string().optional(),
  level: z.number().int().optional(),
  gold: z.string(),
  /** The extracted answer (empty for a failed sample). */
  answer: z.string(),
  correct: z.boolean(),
  /** The verification rule that decided (e.g. "option-letter", "llm-judge"); "failed" for a failed sample. */
  rule: z.string(),
  lessonsUsed: z.array(lessonReferenceSchema.extend({ score: z.number() })),
  lessonsWritten: z.array(lessonReferenceSchema),
  lessonsMerged: z.array(lessonReferenceSchema.extend({ version: z.number().int() })),
  duplicates: z.number().int().nonnegative(),
  mergesRejected: z.number().int().nonnegative(),
  embeddings: z.object({ texts: z.number().int().nonnegative(), images: z.number().int().nonnegative() }),
  wallMs: z.number(),
  calls: callDigestSchema,
  warnings: z.array(z.string()),
});
export type VqaLine = z.infer<typeof vqaLineSchema>;
