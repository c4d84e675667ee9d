/**
 * `mmevolve export-results RUN --format lmms-eval|vlmevalkit --out DIR`: a finished segmentation run written in
 * the result layouts of lmms-eval and VLMEvalKit, so its numbers can be put beside theirs with their own tools.
 * Every number is recomputed from RUN/results.jsonl (as report.json is); each sample's answer is the final mask
 * from its trace, as COCO RLE in the `{"masks": [...]}` shape lmms-eval's SA-Co task parses.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';
import { cocoRleSchema, decodeRle, maskBox } from '../vision/index.js';
import { readResultLines, requireManifest } from './run-store.js';
import type { RunManifest } from './run-store.js';
import { segmentationLineSchema } from './segmentation-run.js';
import type { SegmentationLine } from './segmentation-run.js';
import { summarizeSegmentation } from './segmentation-summary.js';
import type { SegmentationSummary } from './segmentation-summary.js';

export const HARNESS_FORMATS = ['lmms-eval', 'vlmevalkit'] as const;
export type HarnessFormat = (typeof HARNESS_FORMATS)[number];

/** One exported metric: its name in the files, the value, and whether higher is better. */
export interface ExportedMetric {
  name: string;
  value: number | null;
  higherIsBetter: boolean;
}

export interface HarnessExportContext {
  manifest: RunManifest;
  /** Latest line per sample id, in file order. */
  lines: SegmentationLine[];
  summary: SegmentationSummary;
  /** lmms-eval style task name: refcoco_val, grefcoco_testA, saco_gold_metaclip, reasonseg_val. */
  task: string;
  /** VLMEvalKit dataset name (RefCOCO, RefCOCO+, …) and its split label (RefCOCO_val) as its RefCOCO table writes. */
  dataset: string;
  splitLabel: string;
  /** `mmevolve-<method>_<MLLM>` (+ `-SIMULATED`), the model both harnesses see. */
  modelName: string;
  /** Final mask per finished sample (absent for failed samples). */
  masks: Map<string, CocoRle>;
  metrics: ExportedMetric[];
}

const DATASET_LABELS: Record<string, string> = {
  reasonseg: 'ReasonSeg',
  refcoco: 'RefCOCO',
  'refcoco+': 'RefCOCO+',
  refcocog: 'RefCOCOg',
  grefcoco: 'gRefCOCO',
  'saco-gold': 'SACo_Gold',
};

const datasetSpecSchema = z.looseObject({ format: z.string().optional(), split: z.string().optional() });
const traceRleSchema = z.looseObject({ rle: cocoRleSchema });

/** A task-name-safe token: lower case, runs of other characters as one underscore (lmms-eval task names). */
function token(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9+]+/g, '_').replace(/^_+|_+$/g, '');
}

/** Which benchmark and split the run covered, read from its settings (default: a ReasonSeg folder). */
export function describeRunDataset(manifest: RunManifest): { format: string; split: string; task: string; dataset: string; splitLabel: string } {
  const parsed = datasetSpecSchema.safeParse(manifest.settings['dataset']);
  const format = parsed.success ? (parsed.data.format ?? 'reasonseg') : 'reasonseg';
  const base = path.basename(manifest.dataset).replace(/\.json$/i, '');
  let split = parsed.success && parsed.data.split !== undefined ? parsed.data.split : base;
  if (format === 'saco-gold') {
    // gold_<subset>_merged_a_release_test.json → the subset, as lmms-eval's saco_gold_<subset> tasks name it.
    split = /^gold_(.+?)_merged_[a-z]_release_test$/i.exec(base)?.[1] ?? base;
  }
  const dataset = DATASET_LABELS[format] ?? format;
  const task = format === 'saco-gold' ? `saco_gold_${token(split)}` : `${token(format)}_${token(split)}`;
  return { format, split, task, dataset, splitLabel: `${dataset}_${split}` };
}

function latestById(lines: readonly SegmentationLine[]): SegmentationLine[] {
  const byId = new Map<string, SegmentationLine>();
  for (const line of lines) byId.set(line.id, line);
  const kept = new Set(byId.values());
  return lines.filter((line) => kept.has(line));
}

/** The run's headline metrics under the names our tables use (gIoU/cIoU, plus N-acc/T-acc or cgF1/pmF1/IL_MCC). */
export function exportedMetrics(summary: SegmentationSummary): ExportedMetric[] {
  const metrics: ExportedMetric[] = [
    { name: 'gIoU', value: summary.grefcoco?.giou ?? summary.scores.giou, higherIsBetter: true },
    { name: 'cIoU', value: summary.grefcoco?.ciou ?? summary.scores.ciou, higherIsBetter: true },
  ];
  if (summary.grefcoco !== undefined) {
    metrics.push({ name: 'N-acc', value: summary.grefcoco.nAcc, higherIsBetter: true }, { name: 'T-acc', value: summary.grefcoco.tAcc, higherIsBetter: true });
  }
  if (summary.saco !== undefined) {
    metrics.push(
      { name: 'cgF1', value: summary.saco.cgF1, higherIsBetter: true },
      { name: 'pmF1', value: summary.saco.pmF1, higherIsBetter: true },
      { name: 'IL_MCC', value: summary.saco.ilMcc, higherIsBetter: true },
    );
  }
  return metrics;
}

export async function loadHarnessExportContext(runDirectory: string): Promise<HarnessExportContext> {
  const manifest = await requireManifest(runDirectory);
  if (manifest.command !== 'eval') {
    throw mmevolveError(
      'invalid-input',
      `${runDirectory} is a ${manifest.command} run; export-results writes segmentation runs (mmevolve eval)`,
      'Pass the folder of a run made by mmevolve eval.',
    );
  }
  const read = await readResultLines(runDirectory, segmentationLineSchema);
  const lines = latestById(read.lines);
  if (lines.length === 0) {
    throw mmevolveError('invalid-input', `${runDirectory} has no finished samples in results.jsonl`, 'Run mmevolve eval into this folder first.');
  }
  const masks = new Map<string, CocoRle>();
  for (const line of lines) {
    if (line.status !== 'ok' || line.trace === undefined) continue;
    const traceFile = path.join(runDirectory, line.trace);
    try {
      masks.set(line.id, traceRleSchema.parse(JSON.parse(await readFile(traceFile, 'utf8'))).rle);
    } catch (error) {
      throw mmevolveError('invalid-dataset', `trace ${traceFile} has no readable mask`, 'The run folder was edited or damaged; rerun the sample in a fresh run folder.', error);
    }
  }
  const summary = summarizeSegmentation(lines);
  const { task, dataset, splitLabel } = describeRunDataset(manifest);
  const mllm = manifest.backends['mllm'];
  // A simulated run says so in the model name, so every file and table it lands in says SIMULATED too.
  const modelName = `mmevolve-${manifest.method}${mllm === undefined ? '' : `_${path.basename(mllm)}`}${manifest.simulated ? '-SIMULATED' : ''}`;
  return { manifest, lines, summary, task, dataset, splitLabel, modelName, masks, metrics: exportedMetrics(summary) };
}

/**
 * A sample's answer in the shape lmms-eval's SA-Co task parses (`{"masks": [RLE], "boxes": [[x1, y1, x2, y2]],
 * "scores": [1]}`, tasks/saco/utils.py parse_predicted_masks); "nothing matches" is empty lists.
 */
export function answerJson(context: HarnessExportContext, line: SegmentationLine): string {
  const mask = context.masks.get(line.id);
  if (mask === undefined || line.area === 0) return JSON.stringify({ masks: [], boxes: [], scores: [] });
  const box = maskBox(decodeRle(mask));
  return JSON.stringify({ masks: [mask], boxes: box === null ? [] : [box], scores: [1] });
}
