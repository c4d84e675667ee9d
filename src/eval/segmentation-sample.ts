/**
 * One sample of a segmentation evaluation: run the injected method on its image, score the final mask
 * against the ground truth (LISA counts, ReLA's for gRefCOCO, SA-Co's instance evaluation), keep the
 * trace through the run store, and the line recorded when the method fails. Shared by the single-process
 * runner (segmentation-run.ts) and the queue workers (eval-worker.ts), so both record identical lines.
 */
import type { Mask } from '../core/index.js';
import { createMask, mmevolveError } from '../core/index.js';
import { encodeRle, maskArea, readImage } from '../vision/index.js';
import { digestCalls, numericFields } from './call-digest.js';
import { imageIou, segmentationCounts } from './metrics.js';
import { judgeCheckOf } from './judge-check.js';
import type { EvalSample, ScoringRules } from './datasets/dataset.js';
import { grefcocoCounts } from './grefcoco-metrics.js';
import { sacoSampleEvaluation } from './saco-metrics.js';
import type { RunStore } from './run-store.js';
import type { SampleError } from './runner.js';
import type { SegmentationLine, SegmentSample } from './segmentation-run.js';

export const TRACE_FOLDER = 'traces';

export interface SegmentationSampleContext {
  method: string;
  scoring: ScoringRules;
  segment: SegmentSample;
  store: Pick<RunStore<SegmentationLine>, 'writeTrace'>;
}

export interface SegmentationSampleRunner {
  run(sample: EvalSample, signal: AbortSignal): Promise<SegmentationLine>;
  failed(sample: EvalSample, error: SampleError): Promise<SegmentationLine>;
}

export function segmentationSampleRunner(context: SegmentationSampleContext): SegmentationSampleRunner {
  return {
    run: (sample, signal) => segmentOne(context, sample, signal),
    failed: async (sample, error) => ({
      ...(await scoreLine(context.scoring, sample, createMask(sample.width, sample.height), false)),
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
  };
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

async function segmentOne(context: SegmentationSampleContext, sample: EvalSample, signal: AbortSignal): Promise<SegmentationLine> {
  const image = await readImage(sample.imagePath);
  const started = performance.now();
  const result = await context.segment(image, sample, signal);
  const wallMs = performance.now() - started;
  if (result.mask.width !== sample.width || result.mask.height !== sample.height) {
    throw mmevolveError('size-mismatch', `the engine returned a ${result.mask.width}×${result.mask.height} mask for ${sample.imagePath} (${sample.width}×${sample.height})`, 'This is an engine bug: masks must be at the original image size.');
  }
  const tracePath = `${TRACE_FOLDER}/${sample.name}.json`;
  const traceFile = { name: sample.name, imagePath: sample.imagePath, query: sample.query, isSentence: sample.isSentence, method: context.method, rle: result.rle ?? encodeRle(result.mask), trace: result.trace };
  await context.store.writeTrace(sample.name, tracePath, `${JSON.stringify(traceFile)}\n`);
  const variant = 'variant' in result.trace && typeof result.trace.variant === 'string' ? result.trace.variant : undefined;
  const judgeCheck = judgeCheckOf(result.trace);
  return {
    ...(await scoreLine(context.scoring, sample, result.mask, result.noTarget === true)),
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
