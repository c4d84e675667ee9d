import type { Warning } from '../core/index.js';
import { createMask, mmevolveError, sameSize } from '../core/index.js';
import type { ScoreSummary, ScoredSample } from './metrics.js';
import { segmentationCounts, summarize } from './metrics.js';
import type { PredictionSet } from './predictions.js';
import { openPredictions } from './predictions.js';
import type { EvalSample } from './datasets/dataset.js';
import type { DatasetSpec } from './datasets/open-dataset.js';
import { openDataset } from './datasets/open-dataset.js';
import type { ScoringRules } from './datasets/dataset.js';
import { grefcocoCounts, summarizeGrefcoco } from './grefcoco-metrics.js';
import type { GrefcocoSummary, ReferringCounts } from './grefcoco-metrics.js';
import { maskArea } from '../vision/index.js';
import { sacoSampleEvaluation, summarizeSaco } from './saco-metrics.js';
import type { ImageEvaluation, SacoSummary } from './saco-metrics.js';

/**
 * Score predicted masks against a ReasonSeg folder with LISA's gIoU/cIoU. A missing prediction counts as
 * an empty mask (IoU 0 when the image has a target, 1 when it has none) and is listed in `missing`.
 * Used by `mmevolve score` and reusable by the server.
 */
export interface ScoreReport extends ScoreSummary {
  /** Sample names without a prediction, sorted; each was scored as an empty mask. */
  missing: string[];
  /** Loader warnings (clipped points, ignored files) and predictions that match no sample. */
  warnings: Warning[];
  /** The dataset declares itself simulated (SynthWorld manifest): never a real model's quality. */
  simulated: boolean;
  /** gRefCOCO (ReLA's rules): gIoU, cIoU, N-acc, T-acc; an empty mask is the answer "no target". */
  grefcoco?: GrefcocoSummary;
  /** SA-Co/Gold: cgF1, pmF1, IL_MCC (SAM 3's evaluator); a JSON list of RLEs is a sample's instances. */
  saco?: SacoSummary;
}

export interface ScoreOptions {
  simulated?: boolean;
  scoring?: ScoringRules;
}

export async function scoreDataset(
  samples: ReadonlyArray<EvalSample>,
  predictions: PredictionSet,
  options: ScoreOptions = {},
): Promise<ScoreReport> {
  const scored: ScoredSample[] = [];
  const referring: Array<ReferringCounts & { iou: number }> = [];
  const sacoImages: ImageEvaluation[] = [];
  const missing: string[] = [];
  const warnings: Warning[] = samples.flatMap((sample) => sample.warnings);
  for (const sample of samples) {
    const groundTruth = await sample.groundTruth();
    let prediction = createMask(sample.width, sample.height);
    if (predictions.has(sample.name)) {
      prediction = await predictions.load(sample.name);
      if (!sameSize(prediction, sample)) {
        throw mmevolveError(
          'size-mismatch',
          `prediction ${predictions.describe(sample.name)} is ${prediction.width}×${prediction.height} but image ${sample.imagePath} is ${sample.width}×${sample.height}`,
          'Predict masks at the original image size (after EXIF orientation), as ReasonSeg scores at full resolution.',
        );
      }
    } else {
      missing.push(sample.name);
    }
    scored.push({ counts: segmentationCounts(prediction, groundTruth), isSentence: sample.isSentence });
    if (options.scoring === 'saco' && sample.instanceSets !== undefined) {
      const instances = predictions.has(sample.name) && predictions.loadInstances !== undefined ? await predictions.loadInstances(sample.name) : undefined;
      sacoImages.push(sacoSampleEvaluation(instances ?? prediction, await sample.instanceSets()));
    }
    if (options.scoring === 'grefcoco') referring.push(grefcocoCounts(prediction, groundTruth, sample.noTarget, maskArea(prediction) === 0));
  }
  const known = new Set(samples.map((sample) => sample.name));
  const unused = predictions.names.filter((name) => !known.has(name)).sort();
  if (unused.length > 0) {
    warnings.push({
      code: 'unused-predictions',
      message: `${unused.length} prediction(s) in ${predictions.source} match no sample in the dataset: ${preview(unused)}`,
    });
  }
  return {
    ...summarize(scored),
    missing: missing.sort(),
    warnings,
    simulated: options.simulated ?? false,
    ...(options.scoring === 'grefcoco' ? { grefcoco: summarizeGrefcoco(referring) } : {}),
    ...(options.scoring === 'saco' ? { saco: summarizeSaco(sacoImages) } : {}),
  };
}

/** `mmevolve score`: load the dataset (a ReasonSeg folder unless `spec` says otherwise) and the predictions (PNG folder or RLE JSON), then score. */
export async function scoreReasonSeg(datasetDirectory: string, predictionsLocation: string, spec: Omit<DatasetSpec, 'path'> = {}): Promise<ScoreReport> {
  const folder = await openDataset({ ...spec, path: datasetDirectory });
  const predictions = await openPredictions(predictionsLocation);
  const report = await scoreDataset(folder.samples, predictions, { simulated: folder.simulated, scoring: folder.scoring });
  return { ...report, warnings: [...folder.warnings, ...report.warnings] };
}

/**
 * Exactly the documented `--json` shape, scores as fractions 0–1 (null for an empty subset), plus
 * `"simulated": true` only when the dataset declares itself simulated, so sim numbers always say so.
 */
export function scoreReportJson(report: ScoreReport): {
  giou: number | null;
  ciou: number | null;
  n: number;
  missing: string[];
  subsets: ScoreSummary['subsets'];
  simulated?: true;
  grefcoco?: GrefcocoSummary;
  saco?: SacoSummary;
} {
  const json = {
    giou: report.giou,
    ciou: report.ciou,
    n: report.n,
    missing: report.missing,
    subsets: report.subsets,
    ...(report.grefcoco === undefined ? {} : { grefcoco: report.grefcoco }),
    ...(report.saco === undefined ? {} : { saco: report.saco }),
  };
  return report.simulated ? { ...json, simulated: true } : json;
}

function preview(names: ReadonlyArray<string>): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown}, … (${names.length - 10} more)` : shown;
}
