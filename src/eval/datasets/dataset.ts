import type { LabelMap, Warning } from '../../core/index.js';

/**
 * One sample of any segmentation benchmark, as the eval harness and `score` see it: the image, the
 * expression, and a lazily built ground-truth label map (0 background, 1 target, 255 ignore) at the
 * original image size. ReasonSeg, RefCOCO/+/g, gRefCOCO and SA-Co/Gold loaders all produce this.
 */
export interface EvalSample {
  /** Unique within the dataset; prediction files are keyed by it (name.png, {"name": RLE}). */
  name: string;
  imagePath: string;
  query: string;
  /** Every phrasing the dataset gives for the same target (the first is `query`). */
  queries: readonly string[];
  /** ReasonSeg long (true) vs short subset; false for the referring-expression sets. */
  isSentence: boolean;
  width: number;
  height: number;
  warnings: readonly Warning[];
  /** The expression matches nothing in the image (gRefCOCO no-target, SA-Co negative phrase). */
  noTarget: boolean;
  groundTruth(): Promise<LabelMap>;
  /** SA-Co/Gold: the instance masks of each annotator, for cgF1's per-instance matching. */
  instanceSets?: () => Promise<ReadonlyArray<ReadonlyArray<LabelMap>>>;
}

/** Which scoring rules apply (see metrics.ts, grefcoco-metrics.ts, saco-metrics.ts). */
export type ScoringRules = 'lisa' | 'grefcoco' | 'saco';

export interface EvalDataset {
  format: DatasetFormat;
  /** What was read (folder, or "refs file + split"), for messages and the run manifest. */
  source: string;
  samples: EvalSample[];
  warnings: Warning[];
  /** A SynthWorld manifest says so: scores on it never describe a real model. */
  simulated: boolean;
  scoring: ScoringRules;
}

export const DATASET_FORMATS = ['reasonseg', 'refcoco', 'refcoco+', 'refcocog', 'grefcoco', 'saco-gold'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

