/**
 * Shapes of the /v1/runs answers the Runs view reads (external input, so checked). Loose on purpose:
 * unknown fields pass, and the report is found whether it comes bare or under `report`.
 */
import { z } from 'zod';

export const runRecordSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  method: z.string().default('?'),
  dataset: z.string().default(''),
  preset: z.string().optional(),
  createdAt: z.string().default(''),
  updatedAt: z.string().optional(),
  progress: z.object({ done: z.number(), total: z.number(), metric: z.string().default('') }).optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
});
export type WebRunRecord = z.infer<typeof runRecordSchema>;

export const runListSchema = z.union([z.array(runRecordSchema), z.looseObject({ runs: z.array(runRecordSchema) }).transform((body) => body.runs)]);

const subsetSchema = z.object({ giou: z.number().nullable(), ciou: z.number().nullable(), n: z.number() });

export const segmentationSummarySchema = z.looseObject({
  kind: z.literal('segmentation'),
  n: z.number(),
  finished: z.number(),
  failed: z.number(),
  scores: subsetSchema.extend({ subsets: z.object({ short: subsetSchema, long: subsetSchema }) }),
  costs: z.looseObject({ callsPerSample: z.number(), promptTokensPerSample: z.number(), completionTokensPerSample: z.number(), wallMsPerSample: z.number() }),
  iouHistogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }),
  perSample: z.array(z.object({ id: z.string(), iou: z.number(), calls: z.number(), isSentence: z.boolean(), status: z.string() })),
});
export type WebSegmentationSummary = z.infer<typeof segmentationSummarySchema>;

const reportBodySchema = z.looseObject({
  title: z.string(),
  simulated: z.boolean(),
  summary: z.unknown(),
  plots: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
});

export const runReportSchema = z.union([reportBodySchema, z.looseObject({ report: reportBodySchema }).transform((body) => ({ ...body.report, ...body }))]);
export type WebRunReport = z.infer<typeof reportBodySchema>;

/** SVG plots the server may send with the report, as {name: svgText}, under `files`, `plotFiles` or `svgs`. */
export function reportSvgs(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  for (const key of ['files', 'plotFiles', 'svgs', 'plotsSvg']) {
    const value: unknown = (body as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trimStart().startsWith('<svg'));
      if (entries.length > 0) return Object.fromEntries(entries);
    }
  }
  return {};
}
