import type { LabelMap, Mask } from '../core/index.js';
import { segmentationCounts } from './metrics.js';
import type { SegmentationCounts } from './metrics.js';

/**
 * gRefCOCO scoring exactly as ReLA's ReferEvaluator (gres_model/evaluation/refer_evaluation.py):
 * - a no-target expression answered "no target" counts IoU 1 with I = U = 0; answered with a mask it
 *   counts IoU 0 and adds the predicted area to ΣU;
 * - a targeted expression answered "no target" keeps U but sets I = 0; otherwise IoU = I / U (0 when U = 0);
 * - gIoU = mean IoU, cIoU = ΣI / ΣU, N-acc = TP / (TP + FN) over no-target expressions,
 *   T-acc = TN / (TN + FP) over targeted ones (ReLA's names: TP = no-target recognised, TN = target kept).
 * ReLA takes "no target" from its classification head; a method here says it explicitly (`noTarget`) or
 * returns an empty mask, and both count as the answer "no target".
 */
export interface ReferringCounts extends SegmentationCounts {
  noTarget: boolean;
  predictedNoTarget: boolean;
}

export function grefcocoCounts(prediction: Mask, groundTruth: LabelMap, noTarget: boolean, predictedNoTarget: boolean): ReferringCounts & { iou: number } {
  const raw = segmentationCounts(prediction, groundTruth);
  if (noTarget) {
    return predictedNoTarget
      ? { intersection: 0, union: 0, iou: 1, noTarget, predictedNoTarget }
      : { intersection: 0, union: raw.union, iou: 0, noTarget, predictedNoTarget };
  }
  const intersection = predictedNoTarget ? 0 : raw.intersection;
  return { intersection, union: raw.union, iou: raw.union === 0 ? 0 : intersection / raw.union, noTarget, predictedNoTarget };
}

export interface GrefcocoSummary {
  n: number;
  giou: number | null;
  ciou: number | null;
  /** null when the split has no no-target (N-acc) or no targeted (T-acc) expression. */
  nAcc: number | null;
  tAcc: number | null;
  confusion: { TP: number; TN: number; FP: number; FN: number };
}

export function summarizeGrefcoco(samples: ReadonlyArray<ReferringCounts & { iou: number }>): GrefcocoSummary {
  const confusion = { TP: 0, TN: 0, FP: 0, FN: 0 };
  let iouSum = 0;
  let intersectionSum = 0;
  let unionSum = 0;
  for (const sample of samples) {
    if (sample.noTarget) confusion[sample.predictedNoTarget ? 'TP' : 'FN'] += 1;
    else confusion[sample.predictedNoTarget ? 'FP' : 'TN'] += 1;
    iouSum += sample.iou;
    intersectionSum += sample.intersection;
    unionSum += sample.union;
  }
  const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);
  return {
    n: samples.length,
    giou: ratio(iouSum, samples.length),
    ciou: ratio(intersectionSum, unionSum),
    nAcc: ratio(confusion.TP, confusion.TP + confusion.FN),
    tAcc: ratio(confusion.TN, confusion.TN + confusion.FP),
    confusion,
  };
}
