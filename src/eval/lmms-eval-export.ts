/**
 * lmms-eval's output files, field for field as EvolvingLMMs-Lab/lmms-eval writes them (commit 75571cf):
 * - `<out>/<model_name_sanitized>/<date_id>_results.json`: evaluator.py `results_dict` (results, group_subtasks,
 *   configs, versions, n-shot, higher_is_better, n-samples) + `config`, `git_hash`, `date`; then
 *   loggers/evaluation_tracker.py `save_results_aggregated` adds `task_hashes` and the GeneralConfigTracker fields.
 * - `<out>/<model_name_sanitized>/<date_id>_samples_<task>.jsonl`: one line per doc as `save_results_samples`
 *   leaves it (doc and arguments removed, `input` = the prompt, `resps` dropped when equal to
 *   `filtered_resps`, single responses flattened, `target` a string) with the per-sample metric values.
 * Metric keys are `<metric>,none` with `<metric>_stderr,none` = "N/A" (no bootstrap, as lmms-eval writes when
 * it has no stderr function). Our runs carry no wall-clock start in lmms-eval's sense, so start/end times are
 * the run's recorded start and the sum of per-sample wall time.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HarnessExportContext } from './harness-export.js';
import { answerJson } from './harness-export.js';
import type { SegmentationLine } from './segmentation-run.js';

/** lmms_eval/utils.py hash_string: sha256 hex of the UTF-8 string. */
export function hashString(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** lmms_eval/utils.py sanitize_model_name: the last two path parts, forbidden characters → "__". */
export function sanitizeModelName(modelName: string): string {
  const parts = modelName.split('/');
  const lastTwo = parts.length > 1 ? parts.slice(-2).join('/') : (parts[parts.length - 1] ?? '');
  return lastTwo.replace(/["<>:/|\\?*[\]]+/g, '__');
}

/** utils.get_datetime_str's "%Y%m%d_%H%M%S" (we write UTC; lmms-eval defaults to Asia/Singapore). */
export function datetimeString(iso: string): string {
  const date = new Date(iso);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}_${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

function sampleMetrics(line: SegmentationLine): Record<string, unknown> {
  const metrics: Record<string, unknown> = {
    gIoU: line.iou,
    // cIoU aggregates ΣI/ΣU, so its per-sample value is the pair (lmms-eval keeps whatever process_results returns).
    cIoU: { intersection: line.intersection, union: line.union },
  };
  if (line.noTarget !== undefined) {
    metrics['no_target'] = line.noTarget;
    metrics['predicted_no_target'] = line.predictedNoTarget ?? false;
  }
  if (line.saco !== undefined) {
    // Named as lmms-eval's saco task names its per-sample signals.
    metrics['IL_TP'] = line.saco.IL_TP;
    metrics['IL_TN'] = line.saco.IL_TN;
    metrics['IL_FP'] = line.saco.IL_FP;
    metrics['IL_FN'] = line.saco.IL_FN;
  }
  return metrics;
}

export interface LmmsEvalFiles {
  directory: string;
  results: string;
  samples: string;
}

export function lmmsEvalDocument(context: HarnessExportContext): { results: Record<string, unknown>; samples: Record<string, unknown>[]; dateId: string; sanitized: string } {
  const { manifest, lines, task, metrics } = context;
  const datetime = datetimeString(manifest.started);
  const dateId = datetime.replace(/:/g, '-');
  const sanitized = sanitizeModelName(context.modelName);
  const samples = lines.map((line, index) => {
    const doc = { id: line.id, query: line.query };
    const answer = answerJson(context, line);
    return {
      doc_id: index,
      target: line.id,
      filtered_resps: answer,
      doc_hash: hashString(JSON.stringify(doc, null, 2)),
      input: line.query,
      ...sampleMetrics(line),
      mmevolve: { id: line.id, status: line.status, ...(line.error === undefined ? {} : { error: line.error.code }), calls: line.calls.calls },
    };
  });
  const taskResult: Record<string, unknown> = { alias: task };
  for (const metric of metrics) {
    taskResult[`${metric.name},none`] = metric.value;
    taskResult[`${metric.name}_stderr,none`] = 'N/A';
  }
  const wallSeconds = lines.reduce((sum, line) => sum + line.wallMs, 0) / 1000;
  const start = new Date(manifest.started).getTime() / 1000;
  const mllm = manifest.backends['mllm'];
  const segmenter = manifest.backends['segmenter'];
  const modelArgs = [`model=${context.modelName}`, `method=${manifest.method}`, ...(mllm === undefined ? [] : [`mllm=${mllm}`]), ...(segmenter === undefined ? [] : [`segmenter=${segmenter}`])].join(',');
  const results: Record<string, unknown> = {
    results: { [task]: taskResult },
    group_subtasks: { [task]: [] },
    configs: {
      [task]: {
        task,
        dataset_path: manifest.dataset,
        test_split: context.splitLabel.slice(context.dataset.length + 1),
        output_type: 'generate_until',
        metric_list: metrics.map((metric) => ({ metric: metric.name, higher_is_better: metric.higherIsBetter })),
        metadata: { version: 1.0, source: 'mmevolve eval', simulated: manifest.simulated },
      },
    },
    versions: { [task]: 1.0 },
    'n-shot': { [task]: 0 },
    higher_is_better: { [task]: Object.fromEntries(metrics.map((metric) => [metric.name, metric.higherIsBetter])) },
    'n-samples': { [task]: { original: lines.length, effective: lines.length } },
    config: {
      model: 'mmevolve',
      model_args: modelArgs,
      model_backend: `mmevolve ${manifest.method}`,
      batch_size: 1,
      batch_sizes: [],
      device: null,
      use_cache: null,
      limit: null,
      offset: 0,
      bootstrap_iters: 0,
      gen_kwargs: '',
      random_seed: null,
      numpy_seed: null,
      torch_seed: null,
      fewshot_seed: null,
    },
    git_hash: null,
    git_branch: null,
    lmms_eval_version: null,
    date: datetime,
    task_hashes: { [task]: hashString(samples.map((sample, index) => `sample_${index}${sample.doc_hash}`).join('')) },
    model_source: 'mmevolve',
    model_name: context.modelName,
    model_name_sanitized: sanitized,
    system_instruction: null,
    system_instruction_sha: null,
    fewshot_as_multiturn: false,
    chat_template: null,
    chat_template_sha: null,
    start_time: start,
    end_time: start + wallSeconds,
    total_evaluation_time_seconds: String(wallSeconds),
    // Not an lmms-eval field: where the numbers come from, and SIMULATED for simulated runs.
    mmevolve: { run_fingerprint: manifest.fingerprint, simulated: manifest.simulated, ...(manifest.simulated ? { note: 'SIMULATED: simulated models and data, not a real model result' } : {}) },
  };
  return { results, samples, dateId, sanitized };
}

export async function writeLmmsEvalFiles(context: HarnessExportContext, outDirectory: string): Promise<LmmsEvalFiles> {
  const { results, samples, dateId, sanitized } = lmmsEvalDocument(context);
  const directory = path.join(outDirectory, sanitized);
  await mkdir(directory, { recursive: true });
  const resultsFile = path.join(directory, `${dateId}_results.json`);
  const samplesFile = path.join(directory, `${dateId}_samples_${context.task}.jsonl`);
  await writeFile(resultsFile, JSON.stringify(results, null, 2));
  await writeFile(samplesFile, samples.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
  return { directory, results: resultsFile, samples: samplesFile };
}
