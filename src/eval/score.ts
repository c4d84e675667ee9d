import type { Warning } from '../core/index.js';
import { createMask, mmevolveError, sameSize } from '../core/index.js';
import type { ScoreSummary, ScoredSample } from './metrics.js';
import { segmentationCounts, summarize } from './metrics.js';
import type { PredictionSet } from './predictions.js';
import { openPredictions } from './predictions.js';
import type { ReasonSegSample } from './reasonseg.js';
import { loadGroundTruth } from './reasonseg.js';
import { loadReasonSegFolder } from './reasonseg-folder.js';

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
}

export interface ScoreOptions {
  simulated?: boolean;
}

export async function scoreDataset(
  samples: ReadonlyArray<ReasonSegSample>,
  predictions: PredictionSet,
  options: ScoreOptions = {},
): Promise<ScoreReport> {
  const scored: ScoredSample[] = [];
  const missing: string[] = [];
  const warnings: Warning[] = samples.flatMap((sample) => sample.warnings);
  for (const sample of samples) {
    const groundTruth = await loadGroundTruth(sample);
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
  }
  const known = new Set(samples.map((sample) => sample.name));
  const unused = predictions.names.filter((name) => !known.has(name)).sort();
  if (unused.length > 0) {
    warnings.push({
      code: 'unused-predictions',
      message: `${unused.length} prediction(s) in ${predictions.source} match no sample in the dataset: ${preview(unused)}`,
    });
  }
  return { ...summarize(scored), missing: missing.sort(), warnings, simulated: options.simulated ?? false };
}

/** `mmevolve score`: load the dataset folder and the predictions (PNG folder or RLE JSON), then score. */
export async function scoreReasonSeg(datasetDirectory: string, predictionsLocation: string): Promise<ScoreReport> {
  const folder = await loadReasonSegFolder(datasetDirectory);
  const predictions = await openPredictions(predictionsLocation);
  const report = await scoreDataset(folder.samples, predictions, { simulated: folder.simulated });
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
} {
  const json = { giou: report.giou, ciou: report.ciou, n: report.n, missing: report.missing, subsets: report.subsets };
  return report.simulated ? { ...json, simulated: true } : json;
}

function preview(names: ReadonlyArray<string>): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown}, … (${names.length - 10} more)` : shown;
}
