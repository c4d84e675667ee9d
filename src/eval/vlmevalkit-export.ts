/**
 * VLMEvalKit's per-dataset files, as open-compass/VLMEvalKit writes them (commit e8e78f0):
 * - run.py: `<work_dir>/<model>/<eval_id>/`, eval_id = smp/file.py build_eval_id() = 'T' + '%Y%m%d-%H%M%S';
 * - predictions: smp/file.py get_pred_file_path → `<model>_<dataset>.<PRED_FORMAT>`; we write PRED_FORMAT=tsv
 *   (dump_tsv: tab-separated, no index column, every field quoted), columns index, question, prediction and
 *   the per-sample detail columns (dataset/refcoco.py evaluate adds iou, hit, split to its detail file);
 * - result table: get_intermediate_file_path(eval_file, '_acc') → `<model>_<dataset>_acc.csv` (EVAL_FORMAT csv,
 *   dump_csv: QUOTE_ALL, no index), one row per split then an 'Average' row with a 'Samples' column, as
 *   dataset/refcoco.py's summary is laid out. Values are fractions (0–1), as our report.json holds them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HarnessExportContext } from './harness-export.js';
import { answerJson } from './harness-export.js';

/** pandas to_csv with quoting=csv.QUOTE_ALL: every field quoted, quotes doubled; None/NaN as an empty field. */
export function quoteAll(values: readonly (string | number | null)[], separator: string): string {
  return values.map((value) => (value === null ? '""' : `"${String(value).replace(/"/g, '""')}"`)).join(separator);
}

/** smp/file.py build_eval_id for the run's start time (UTC). */
export function evalId(iso: string): string {
  const date = new Date(iso);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `T${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}-${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

/** VLMEvalKit model names are config keys; ours without characters a path or a table would trip on. */
export function vlmevalkitModelName(modelName: string): string {
  return modelName.replace(/[^A-Za-z0-9._+-]+/g, '_');
}

export const PREDICTION_COLUMNS = ['index', 'question', 'prediction', 'split', 'status', 'intersection', 'union', 'iou', 'hit'] as const;

export interface VlmevalkitFiles {
  directory: string;
  predictions: string;
  table: string;
}

export function vlmevalkitTables(context: HarnessExportContext): { predictions: string; table: string } {
  const extra = context.lines.some((line) => line.noTarget !== undefined) ? (['no_target', 'predicted_no_target'] as const) : ([] as const);
  const header = [...PREDICTION_COLUMNS, ...extra];
  const rows = context.lines.map((line) => [
    line.id,
    line.query,
    answerJson(context, line),
    context.splitLabel,
    line.status,
    line.intersection,
    line.union,
    line.iou,
    // refcoco.py's hit: IoU ≥ its IOU_THRESHOLD 0.5.
    line.iou >= 0.5 ? 1 : 0,
    ...(extra.length === 0 ? [] : [String(line.noTarget ?? false), String(line.predictedNoTarget ?? false)]),
  ]);
  const predictions = [header, ...rows].map((row) => quoteAll(row, '\t')).join('\n');
  const metricNames = context.metrics.map((metric) => metric.name);
  const values = context.metrics.map((metric) => metric.value);
  const tableRows = [
    ['Split', ...metricNames, 'Samples'],
    [context.splitLabel, ...values, context.lines.length],
    // refcoco.py always closes with the 'Average' row (the mean over splits; here a single split).
    ['Average', ...values, context.lines.length],
  ];
  const table = tableRows.map((row) => quoteAll(row, ',')).join('\n');
  return { predictions: `${predictions}\n`, table: `${table}\n` };
}

export async function writeVlmevalkitFiles(context: HarnessExportContext, outDirectory: string): Promise<VlmevalkitFiles> {
  const model = vlmevalkitModelName(context.modelName);
  const directory = path.join(outDirectory, model, evalId(context.manifest.started));
  await mkdir(directory, { recursive: true });
  const { predictions, table } = vlmevalkitTables(context);
  const predictionsFile = path.join(directory, `${model}_${context.dataset}.tsv`);
  const tableFile = path.join(directory, `${model}_${context.dataset}_acc.csv`);
  await writeFile(predictionsFile, predictions);
  await writeFile(tableFile, table);
  return { directory, predictions: predictionsFile, table: tableFile };
}
