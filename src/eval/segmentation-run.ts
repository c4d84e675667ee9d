/**
 * `mmevolve eval` as a library call: run a segmentation method over a benchmark (ReasonSeg folder,
 * RefCOCO family, gRefCOCO; see datasets/open-dataset.ts) into a resumable
 * run folder. The method is injected (a function from image + sample to mask, trace, calls, counters), so
 * the harness does not depend on which engine produced the mask. Each finished sample writes its trace to
 * RUN/traces/<name>.json first, then appends its results line (so every line's trace exists).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { CallRecord, Mask, RgbImage, Warning } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';
import { callDigestSchema } from './call-digest.js';
import { judgeCheckSchema } from './judge-check.js';
import { runBounds } from './eval-run-options.js';
import type { EvalRunOptions, EvalRunResult } from './eval-run-options.js';
import type { DatasetSpec } from './datasets/open-dataset.js';
import { openDataset } from './datasets/open-dataset.js';
import type { EvalSample } from './datasets/dataset.js';
import { imageEvaluationSchema } from './saco-metrics.js';
import { saveRunMasks } from './save-masks.js';
import { openRun, resultLineBaseSchema } from './run-store.js';
import { runSamples } from './runner.js';
import { TRACE_FOLDER, segmentationSampleRunner } from './segmentation-sample.js';
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
  /** The mask's COCO RLE when the engine has it already (evolve's results do); encoded here otherwise. */
  rle?: CocoRle;
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

export { TRACE_FOLDER };

export type SegmentationRunResult = EvalRunResult<SegmentationLine>;

export async function runSegmentationEval(options: SegmentationRunOptions): Promise<SegmentationRunResult> {
  const dataset = path.resolve(options.dataset);
  const folder = await openDataset({ ...options.datasetSpec, path: dataset });
  const scoring = folder.scoring;
  const store = await (options.openStore ?? openRun)<SegmentationLine>({
    directory: options.out,
    identity: { command: 'eval', method: options.method, dataset, settings: options.settings },
    backends: options.backends,
    simulated: folder.simulated || options.simulatedBackends,
    schema: segmentationLineSchema,
  });
  if (options.openStore === undefined) await mkdir(path.join(options.out, TRACE_FOLDER), { recursive: true });
  const sampleRunner = segmentationSampleRunner({ method: options.method, scoring, segment: options.segment, store });
  try {
    const outcome = await runSamples<EvalSample, SegmentationLine>({
      store,
      samples: folder.samples,
      id: (sample) => sample.name,
      run: sampleRunner.run,
      failed: sampleRunner.failed,
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

