import type { LabelMap, Mask } from '../core/index.js';
import { IGNORE_LABEL, mmevolveError, sameSize } from '../core/index.js';
import { visitUnlessBothZero } from '../vision/index.js';

/**
 * gIoU / cIoU exactly as LISA's ReasonSeg validation loop computes them (LISA train_ds.py `validate` with
 * utils.py `intersectionAndUnionGPU(..., K=2, ignore_index=255)`); see /work/shared/REFERENCE.md.
 * LISA accumulates in float32; we use float64, so results may differ from LISA's printout by ~1e-7.
 */
export interface SegmentationCounts {
  /** #(prediction foreground ∧ ground truth 1). */
  intersection: number;
  /** #(prediction foreground ∧ gt ≠ 255) + #(gt = 1) − intersection. */
  union: number;
}

export interface SubsetScore {
  /** Mean per-image IoU; null when the subset is empty. */
  giou: number | null;
  /** ΣI / (ΣU + 1e-10); null when the subset is empty. */
  ciou: number | null;
  n: number;
}

export interface ScoreSummary extends SubsetScore {
  /** ReasonSeg `is_sentence`: false → short, true → long. */
  subsets: { short: SubsetScore; long: SubsetScore };
}

export interface ScoredSample {
  counts: SegmentationCounts;
  isSentence: boolean;
}

// LISA train_ds.py: `intersection / (union + 1e-5)` per image and `sum(I) / (sum(U) + 1e-10)` overall.
const IMAGE_IOU_EPSILON = 1e-5;
const CUMULATIVE_IOU_EPSILON = 1e-10;

/** Counts for one image. Prediction foreground is value > 0 (LISA thresholds logits at 0). */
export function segmentationCounts(prediction: Mask, groundTruth: LabelMap): SegmentationCounts {
  if (!sameSize(prediction, groundTruth)) {
    throw mmevolveError(
      'size-mismatch',
      `prediction is ${prediction.width}×${prediction.height} but the ground truth is ${groundTruth.width}×${groundTruth.height}`,
      'Predict masks at the original image size (ReasonSeg scores at full resolution).',
    );
  }
  const predicted = prediction.data;
  const truth = groundTruth.data;
  let intersection = 0;
  let predictedArea = 0;
  let targetArea = 0;
  // Pixels background in both count nothing (visitUnlessBothZero skips them four at a time).
  visitUnlessBothZero(predicted, truth, (index) => {
    const label = truth[index];
    // Ignore pixels are removed from both prediction and target before counting.
    if (label === IGNORE_LABEL) return;
    const isPredicted = (predicted[index] ?? 0) > 0;
    if (isPredicted) predictedArea += 1;
    if (label === 1) {
      targetArea += 1;
      if (isPredicted) intersection += 1;
    }
  });
  return { intersection, union: predictedArea + targetArea - intersection };
}

/** Per-image IoU: 1.0 when the union is empty (nothing to find, nothing predicted), else I / (U + 1e-5). */
export function imageIou(counts: SegmentationCounts): number {
  // LISA: `acc_iou[union == 0] += 1.0  # no-object target` on top of 0 / (0 + 1e-5) = 0.
  if (counts.union === 0) return 1.0;
  return counts.intersection / (counts.union + IMAGE_IOU_EPSILON);
}

export function summarize(samples: ReadonlyArray<ScoredSample>): ScoreSummary {
  return {
    ...subsetScore(samples),
    subsets: {
      short: subsetScore(samples.filter((sample) => !sample.isSentence)),
      long: subsetScore(samples.filter((sample) => sample.isSentence)),
    },
  };
}

function subsetScore(samples: ReadonlyArray<ScoredSample>): SubsetScore {
  if (samples.length === 0) return { giou: null, ciou: null, n: 0 };
  let iouSum = 0;
  let intersectionSum = 0;
  let unionSum = 0;
  for (const sample of samples) {
    iouSum += imageIou(sample.counts);
    intersectionSum += sample.counts.intersection;
    unionSum += sample.counts.union;
  }
  return {
    giou: iouSum / samples.length,
    ciou: intersectionSum / (unionSum + CUMULATIVE_IOU_EPSILON),
    n: samples.length,
  };
}
