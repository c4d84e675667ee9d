/**
 * Every knob of the memory method in one zod schema. Defaults follow the ViLoMem paper (arXiv 2511.21678):
 * logic retrieval top-3 above cosine 0.7; visual retrieval top-10 by image, re-ranked by the text query,
 * top-3 above 0.7. The merge threshold and the zoom hint are ours (the published code never merges).
 */
import { z } from 'zod';
import { mmevolveError } from '../../core/index.js';

const unitInterval = z.number().min(-1).max(1);

export const memoryMethodConfigSchema = z.strictObject({
  /**
   * Label-free learning: an answer with no gold answer (and, under `serve`, no feedback) is checked by the
   * model itself (check_answer); one its check finds wrong writes lessons (provenance signal 'label-free').
   */
  labelFree: z.boolean().default(false),
  retrieval: z
    .strictObject({
      logic: z.strictObject({ k: z.number().int().min(0).default(3), minScore: unitInterval.default(0.7) }).prefault({}),
      visual: z
        .strictObject({
          /** Candidates taken by image similarity before the text re-rank. */
          imageCandidates: z.number().int().min(0).default(10),
          /** Floor on the image similarity of a candidate (none by default: the text re-rank decides). */
          minImageScore: unitInterval.default(-1),
          k: z.number().int().min(0).default(3),
          /** Applied to the re-rank (text) score. */
          minScore: unitInterval.default(0.7),
        })
        .prefault({}),
    })
    .prefault({}),
  write: z
    .strictObject({
      /** A new lesson this similar (cosine of texts) to an existing one of its stream is merged into it. */
      mergeThreshold: unitInterval.default(0.85),
      /** How many similar lessons to consider as merge targets (the most similar one is used). */
      mergeCandidates: z.number().int().min(1).default(3),
      /**
       * A merged lesson longer than this is rejected (the new lesson is stored on its own): lessons are
       * meant to be 1–2 sentences, and merges that only concatenate would otherwise grow without bound.
       */
      maxMergedChars: z.number().int().min(1).default(400),
      /** Logic lessons are stored only for errors the writer classifies as logical (as in the paper). */
      logicOnlyForLogicalErrors: z.boolean().default(true),
    })
    .prefault({}),
  zoom: z
    .strictObject({
      /** Ask for the region the retrieved visual lessons point to and attach a crop as a second image. */
      enabled: z.boolean().default(false),
      /** Margin added around the region, as a fraction of its size. */
      margin: z.number().min(0).max(2).default(0.1),
      /** Regions smaller than this (pixels per side) are not worth a crop. */
      minSide: z.number().int().min(1).default(16),
    })
    .prefault({}),
  solver: z
    .strictObject({
      temperature: z.number().min(0).max(2).default(0),
      maxTokens: z.number().int().min(1).default(2048),
      /** Seed sent with every call (servers that honour it become reproducible). */
      seed: z.number().int().optional(),
    })
    .prefault({}),
  verify: z
    .strictObject({
      /** Ask the MLLM (judge_answer) when the rules say wrong. */
      llmJudge: z.boolean().default(false),
      /** MATH-V's rules only, without the option-aware rules. */
      strict: z.boolean().default(false),
    })
    .prefault({}),
});

export type MemoryMethodConfig = z.infer<typeof memoryMethodConfigSchema>;
export type MemoryMethodConfigInput = z.input<typeof memoryMethodConfigSchema>;

/** The defaults, complete. */
export function defaultMemoryMethodConfig(): MemoryMethodConfig {
  return memoryMethodConfigSchema.parse({});
}

/** Validates a config object (from a file or code); errors name the field path. */
export function parseMemoryMethodConfig(value: unknown, source = 'memory method config'): MemoryMethodConfig {
  const parsed = memoryMethodConfigSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  throw mmevolveError('config-invalid', `${source} is invalid: ${issues}`, 'fix the named fields (see the memory method config in README)');
}
