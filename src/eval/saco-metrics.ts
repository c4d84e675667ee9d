import { z } from 'zod';
import type { Mask } from '../core/index.js';
import { connectedComponents, maskArea, maskIntersectionUnion } from '../vision/index.js';
import { linearSumAssignment } from './hungarian.js';

/**
 * SA-Co/Gold's metrics exactly as SAM 3's evaluator computes them (facebookresearch/sam3,
 * sam3/eval/cgf1_eval.py: CGF1Eval.evaluateImg / accumulate / summarize and CGF1Evaluator's oracle):
 * - per image–phrase pair, predictions with score ≥ 0.5 are matched one-to-one to the non-crowd ground-truth
 *   instances by maximum total mask IoU (Hungarian); at each IoU threshold 0.50:0.05:0.95, TP = matched pairs
 *   with IoU ≥ t, FP = predictions − TP, FN = ground truths − TP;
 * - image level: TP (targets and predictions), FN (targets, none predicted), FP (no target, predictions),
 *   TN (neither); IL_MCC is their Matthews correlation (+1e-6 in the denominator);
 * - positive micro F1 (pmF1) = 2PR/(P+R+1e-4) with P = ΣTP/(ΣTP+ΣFP+1e-4) summed over images that have
 *   both targets and predictions and R = ΣTP/(ΣTP+ΣFN+1e-4) over images with targets;
 * - cgF1 = pmF1 × IL_MCC per threshold, averaged over the ten thresholds (values ≤ −1 left out, as COCO's
 *   summarize does); the tables print 100 × cgF1 and 100 × pmF1;
 * - with several annotators (Gold has three), each image is scored against each and the best is kept:
 *   the higher mean local F1, and an annotator with neither targets nor predictions wins outright.
 */
export const IOU_THRESHOLDS: readonly number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]; // np.linspace(.5, .95, 10)

export interface ImageEvaluation {
  IL_TP: number;
  IL_TN: number;
  IL_FP: number;
  IL_FN: number;
  numDetections: number;
  /** Per threshold; absent for the image-level true negative (box metrics undefined). */
  TPs?: number[] | undefined;
  FPs?: number[] | undefined;
  FNs?: number[] | undefined;
  localF1s?: number[] | undefined;
  /** Present when the image has both targets and predictions. */
  localPositiveF1s?: number[] | undefined;
}

/** One image–phrase pair against one annotator: predictions already filtered to score ≥ 0.5. */
export function evaluateImage(predictions: readonly Mask[], groundTruths: readonly Mask[]): ImageEvaluation {
  const dt = predictions.length;
  const gt = groundTruths.length;
  const zeros = (): number[] => IOU_THRESHOLDS.map(() => 0);
  if (gt === 0 && dt === 0) return { IL_TP: 0, IL_TN: 1, IL_FP: 0, IL_FN: 0, numDetections: 0 };
  if (gt > 0 && dt === 0) {
    return { IL_TP: 0, IL_TN: 0, IL_FP: 0, IL_FN: 1, numDetections: 0, TPs: zeros(), FPs: zeros(), FNs: IOU_THRESHOLDS.map(() => gt), localF1s: zeros(), localPositiveF1s: zeros() };
  }
  const ious = predictions.map((prediction) => groundTruths.map((truth) => {
    const { intersection, union } = maskIntersectionUnion(prediction, truth);
    return union === 0 ? 0 : intersection / union;
  }));
  const matches = gt === 0 ? [] : linearSumAssignment(ious.map((row) => row.map((iou) => -iou)));
  const scores = matches.map(([row, column]) => ious[row]?.[column] ?? 0);
  const TPs = IOU_THRESHOLDS.map((threshold) => scores.filter((score) => score >= threshold).length);
  const FPs = TPs.map((tp) => dt - tp);
  const FNs = TPs.map((tp) => gt - tp);
  const localF1s = TPs.map((tp, index) => {
    const precision = tp / (tp + (FPs[index] ?? 0) + 1e-4);
    const recall = tp / (tp + (FNs[index] ?? 0) + 1e-4);
    return (2 * precision * recall) / (precision + recall + 1e-4);
  });
  return {
    IL_TP: gt > 0 && dt > 0 ? 1 : 0,
    IL_FP: gt === 0 && dt > 0 ? 1 : 0,
    IL_TN: 0,
    IL_FN: 0,
    numDetections: dt,
    TPs,
    FPs,
    FNs,
    localF1s,
    ...(gt > 0 && dt > 0 ? { localPositiveF1s: localF1s } : {}),
  };
}

const perThreshold = z.array(z.number());
/** An ImageEvaluation as stored on a results line. */
export const imageEvaluationSchema = z.object({
  IL_TP: z.number(), IL_TN: z.number(), IL_FP: z.number(), IL_FN: z.number(), numDetections: z.number(),
  TPs: perThreshold.optional(), FPs: perThreshold.optional(), FNs: perThreshold.optional(),
  localF1s: perThreshold.optional(), localPositiveF1s: perThreshold.optional(),
});

/**
 * One sample against every annotator, the best kept. Our methods answer with one mask: its 8-connected
 * components are the predicted instances (all scored 1, above SAM 3's 0.5 threshold); a method that
 * returns instances passes them directly.
 */
export function sacoSampleEvaluation(prediction: Mask | readonly Mask[], instanceSets: ReadonlyArray<ReadonlyArray<Mask>>): ImageEvaluation {
  const predicted = Array.isArray(prediction) ? prediction.filter((mask) => maskArea(mask) > 0) : maskArea(prediction as Mask) === 0 ? [] : connectedComponents(prediction as Mask);
  return selectBestScoring(instanceSets.map((groundTruths) => evaluateImage(predicted, groundTruths)));
}

/** CGF1Evaluator._select_best_scoring: the most favourable annotator for this image. */
export function selectBestScoring(evaluations: readonly ImageEvaluation[]): ImageEvaluation {
  let best = evaluations[0];
  if (best === undefined) throw new Error('selectBestScoring needs at least one evaluation');
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  for (const current of evaluations.slice(1)) {
    if (best.localF1s !== undefined && current.localF1s !== undefined) {
      if (mean(current.localF1s) > mean(best.localF1s)) best = current;
    } else if (current.localF1s === undefined) {
      best = current;
    }
  }
  return best;
}

export interface SacoSummary {
  n: number;
  /** Averaged over the ten IoU thresholds, as the SA-Co tables report them (fractions; ×100 in tables). */
  cgF1: number;
  pmF1: number;
  cgF1At50: number;
  cgF1At75: number;
  ilMcc: number;
  ilPrecision: number;
  ilRecall: number;
  imageLevel: { TP: number; TN: number; FP: number; FN: number };
}

export function summarizeSaco(evaluations: readonly ImageEvaluation[]): SacoSummary {
  const sum = (): number[] => IOU_THRESHOLDS.map(() => 0);
  const TPs = sum();
  const FPs = sum();
  const pmFPs = sum();
  const FNs = sum();
  let TP = 0;
  let FP = 0;
  let TN = 0;
  let FN = 0;
  for (const evaluation of evaluations) {
    TP += evaluation.IL_TP;
    FP += evaluation.IL_FP;
    TN += evaluation.IL_TN;
    FN += evaluation.IL_FN;
    if (evaluation.TPs === undefined) continue;
    IOU_THRESHOLDS.forEach((_, index) => {
      TPs[index] = (TPs[index] ?? 0) + (evaluation.TPs?.[index] ?? 0);
      FPs[index] = (FPs[index] ?? 0) + (evaluation.FPs?.[index] ?? 0);
      FNs[index] = (FNs[index] ?? 0) + (evaluation.FNs?.[index] ?? 0);
      if (evaluation.localPositiveF1s !== undefined) pmFPs[index] = (pmFPs[index] ?? 0) + (evaluation.FPs?.[index] ?? 0);
    });
  }
  const pmF1s = IOU_THRESHOLDS.map((_, index) => {
    const tp = TPs[index] ?? 0;
    const precision = tp / (tp + (pmFPs[index] ?? 0) + 1e-4);
    const recall = tp / (tp + (FNs[index] ?? 0) + 1e-4);
    return (2 * precision * recall) / (precision + recall + 1e-4);
  });
  const ilRecall = TP / (TP + FN + 1e-6);
  const ilPrecision = TP / (TP + FP + 1e-6);
  const ilMcc = (TP * TN - FP * FN) / (Math.sqrt((TP + FP) * (TP + FN) * (TN + FP) * (TN + FN)) + 1e-6);
  const cgF1s = pmF1s.map((value) => value * ilMcc);
  return {
    n: evaluations.length,
    cgF1: cocoMean(cgF1s),
    pmF1: cocoMean(pmF1s),
    cgF1At50: cgF1s[0] ?? 0,
    cgF1At75: cgF1s[5] ?? 0,
    ilMcc,
    ilPrecision,
    ilRecall,
    imageLevel: { TP, TN, FP, FN },
  };
}

/** COCOeval summarize: the mean of the values above −1, or −1 when there are none. */
function cocoMean(values: readonly number[]): number {
  const kept = values.filter((value) => value > -1);
  return kept.length === 0 ? -1 : kept.reduce((total, value) => total + value, 0) / kept.length;
}
