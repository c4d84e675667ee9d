/**
 * `mmevolve eval` as a library call: run a segmentation method over a benchmark (ReasonSeg folder,
 * RefCOCO family, gRefCOCO; see datasets/open-dataset.ts) into a resumable
 * run folder. The method is injected (a function from image + sample to mask, trace, calls, counters), so
 * the harness does not depend on which engine produced the mask. Each finished sample writes its trace to
 * RUN/traces/<name>.json first, then appends its results line (so every line's trace exists).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { CallRecord, Mask, RgbImage, Warning } from '../core/index.js';
import { createMask, mmevolveError } from '../core/index.js';
import { encodeRle, maskArea, readImage } from '../vision/index.js';
import { callDigestSchema, digestCalls, numericFields } from './call-digest.js';
import { imageIou, segmentationCounts } from './metrics.js';
import { judgeCheckOf, judgeCheckSchema } from './judge-check.js';
import { runBounds } from './eval-run-options.js';
import type { EvalRunOptions, EvalRunResult } from './eval-run-options.js';
import type { DatasetSpec } from './datasets/open-dataset.js';
import { openDataset } from './datasets/open-dataset.js';
import type { EvalSample, ScoringRules } from './datasets/dataset.js';
import { grefcocoCounts } from './grefcoco-metrics.js';
import { imageEvaluationSchema, sacoSampleEvaluation } from './saco-metrics.js';
import { saveRunMasks } from './save-masks.js';
import { openRun, resultLineBaseSchema } from './run-store.js';
import { runSamples } from './runner.js';
import { runningSegmentationMetric } from './segmentation-summary.js';

export const segmentationLineSchema = resultLineBaseSchema.extend({
  kind: z.literal('segmentation'),
  query: z.string(),
  isSentence: z.boolean(),
  /** LISA counts of the final mask against the ground truth (a failed sample counts as an empty mask). */
  intersection: z.number().int().nonnegative(),
  union: z.number().int().nonnegative(),
  iou: z.number(),
  /** Predicted foreground pixels. */
  area: z.number().int().nonnegative(),
  wallMs: z.number(),
  calls: callDigestSchema,
  counters: z.record(z.string(), z.number()),
  /** Engine variant ("evol-published", "evol-improved", "single", …) when the trace names one. */
  variant: z.string().optional(),
  /** gRefCOCO: the expression has no target (ground truth), and the method answered "no target". */
  noTarget: z.boolean().optional(),
  predictedNoTarget: z.boolean().optional(),
  /** SA-Co/Gold: the instance-level evaluation against the most favourable annotator (saco-metrics.ts). */
  saco: imageEvaluationSchema.optional(),
  /** A per-sample budget (calls or tokens) stopped this sample early. */
  capped: z.enum(['calls', 'tokens']).optional(),
  /** Trace file relative to the run folder. */
  trace: z.string().optional(),
  /** The final judge's double check (evol with final.check 'double'), for the position-bias report. */
  judgeCheck: judgeCheckSchema.optional(),
  warnings: z.array(z.string()),
});
export type SegmentationLine = z.infer<typeof segmentationLineSchema>;

/** What a segmentation engine returns for one sample (H7's SegmentationResult has this shape). */
export interface SegmentationOutcome {
  mask: Mask;
  /** Plain-JSON trace, written to RUN/traces/<name>.json. */
  trace: object;
  calls: readonly CallRecord[];
  /** Numeric counters (image encodes, generations, …); non-numeric fields are dropped. */
  counters: object;
  warnings: readonly Warning[];
  /** The method answered "nothing in the image matches" on purpose (the mask is then empty). */
  noTarget?: boolean;
  /** A per-sample budget stopped the method early. */
  budgetHit?: 'calls' | 'tokens';
}

export type SegmentSample = (image: RgbImage, sample: EvalSample, signal: AbortSignal) => Promise<SegmentationOutcome>;

export interface SegmentationRunOptions extends EvalRunOptions {
  /** Also write each final mask as PNG plus one predictions.json of RLEs into this folder (save-masks.ts). */
  saveMasks?: string;
  /** Which benchmark `dataset` is and how to read it (default: a ReasonSeg folder). */
  datasetSpec?: Omit<DatasetSpec, 'path'>;
  segment: SegmentSample;
  concurrency?: number;
}

export type SegmentationRunResult = EvalRunResult<SegmentationLine>;

export const TRACE_FOLDER = 'traces';

export async function runSegmentationEval(options: SegmentationRunOptions): Promise<SegmentationRunResult> {
  const dataset = path.resolve(options.dataset);
  const folder = await openDataset({ ...options.datasetSpec, path: dataset });
  const scoring = folder.scoring;
  const store = await openRun<SegmentationLine>({
    directory: options.out,
    identity: { command: 'eval', method: options.method, dataset, settings: options.settings },
    backends: options.backends,
    simulated: folder.simulated || options.simulatedBackends,
    schema: segmentationLineSchema,
  });
  await mkdir(path.join(options.out, TRACE_FOLDER), { recursive: true });
  try {
    const outcome = await runSamples<EvalSample, SegmentationLine>({
      store,
      samples: folder.samples,
      id: (sample) => sample.name,
      run: (sample, signal) => segmentOne(options, scoring, sample, signal),
      failed: async (sample, error) => ({
        ...(await scoreLine(scoring, sample, createMask(sample.width, sample.height), false)),
        id: sample.name,
        status: 'failed',
        error,
        wallMs: 0,
        calls: digestCalls([]),
        counters: {},
        warnings: [],
        // A method without a best-so-far answer fails when its budget runs out; that is a cap hit too.
        ...(error.code === 'budget-exceeded' ? { capped: error.message.includes('token') ? ('tokens' as const) : ('calls' as const) } : {}),
      }),
      ...runBounds(options),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      metric: runningSegmentationMetric,
    });
    if (options.saveMasks !== undefined) await saveRunMasks(options.out, outcome.lines, options.saveMasks);
    return { ...outcome, manifest: store.manifest, warnings: [...folder.warnings, ...store.warnings], resumed: store.resumed };
  } finally {
    await store.close();
  }
}

type ScoreFields = Pick<SegmentationLine, 'kind' | 'query' | 'isSentence' | 'intersection' | 'union' | 'iou' | 'area' | 'noTarget' | 'predictedNoTarget' | 'saco'>;

/** LISA counts, or ReLA's for gRefCOCO (where "no target" is an answer: declared, or an empty mask). */
async function scoreLine(scoring: ScoringRules, sample: EvalSample, mask: Mask, declaredNoTarget: boolean): Promise<ScoreFields> {
  const groundTruth = await sample.groundTruth();
  const area = maskArea(mask);
  const base = { kind: 'segmentation' as const, query: sample.query, isSentence: sample.isSentence, area };
  if (scoring === 'grefcoco') {
    const counts = grefcocoCounts(mask, groundTruth, sample.noTarget, declaredNoTarget || area === 0);
    return { ...base, intersection: counts.intersection, union: counts.union, iou: counts.iou, noTarget: counts.noTarget, predictedNoTarget: counts.predictedNoTarget };
  }
  const counts = segmentationCounts(mask, groundTruth);
  const saco = scoring === 'saco' && sample.instanceSets !== undefined ? { saco: sacoSampleEvaluation(mask, await sample.instanceSets()) } : {};
  return { ...base, ...counts, iou: imageIou(counts), ...(declaredNoTarget && area === 0 ? { predictedNoTarget: true } : {}), ...saco };
}

async function segmentOne(options: SegmentationRunOptions, scoring: ScoringRules, sample: EvalSample, signal: AbortSignal): Promise<SegmentationLine> {
  const image = await readImage(sample.imagePath);
  const started = performance.now();
  const result = await options.segment(image, sample, signal);
  const wallMs = performance.now() - started;
  if (result.mask.width !== sample.width || result.mask.height !== sample.height) {
    throw mmevolveError('size-mismatch', `the engine returned a ${result.mask.width}×${result.mask.height} mask for ${sample.imagePath} (${sample.width}×${sample.height})`, 'This is an engine bug: masks must be at the original image size.');
  }
  const tracePath = path.join(TRACE_FOLDER, `${sample.name}.json`);
  const traceFile = { name: sample.name, imagePath: sample.imagePath, query: sample.query, isSentence: sample.isSentence, method: options.method, rle: encodeRle(result.mask), trace: result.trace };
  await writeFile(path.join(options.out, tracePath), `${JSON.stringify(traceFile)}\n`);
  const variant = 'variant' in result.trace && typeof result.trace.variant === 'string' ? result.trace.variant : undefined;
  const judgeCheck = judgeCheckOf(result.trace);
  return {
    ...(await scoreLine(scoring, sample, result.mask, result.noTarget === true)),
    id: sample.name,
    status: 'ok',
    wallMs,
    calls: digestCalls(result.calls),
    counters: numericFields(result.counters),
    ...(variant === undefined ? {} : { variant }),
    ...(judgeCheck === undefined ? {} : { judgeCheck }),
    trace: tracePath,
    warnings: result.warnings.map((warning) => warning.code),
    ...(result.budgetHit === undefined ? {} : { capped: result.budgetHit }),
  };
}
