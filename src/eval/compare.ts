/**
 * `mmevolve compare RUN_A RUN_B …`: a side-by-side table of runs (recomputed from each results.jsonl) and,
 * for every run after the first, a paired-bootstrap 95% interval on its metric difference to the first run
 * over the samples both share (gIoU for segmentation: per-image IoU; accuracy for VQA: 0/1 correctness).
 */
import path from 'node:path';
import { mmevolveError } from '../core/index.js';
import { pairedBootstrap } from './bootstrap.js';
import type { BootstrapInterval, BootstrapOptions } from './bootstrap.js';
import { percent } from './report-markdown.js';
import { loadRunSummary } from './report.js';
import type { RunManifest } from './run-store.js';
import type { CostSummary, SegmentationSummary } from './segmentation-summary.js';
import { scatterSvg } from './svg-plots.js';
import type { VqaSummary } from './vqa-summary.js';

export interface ComparedRun {
  directory: string;
  /** Short label: the folder name. */
  label: string;
  manifest: RunManifest;
  summary: SegmentationSummary | VqaSummary;
}

export interface PairedDifference extends BootstrapInterval {
  baseline: string;
  run: string;
  metric: 'gIoU' | 'accuracy';
  /** Samples of either run missing from the other (left out of the interval). */
  unshared: number;
}

export interface Comparison {
  kind: 'segmentation' | 'vqa';
  simulated: boolean;
  runs: ComparedRun[];
  differences: PairedDifference[];
  warnings: string[];
}

function perSampleMetric(summary: SegmentationSummary | VqaSummary): Map<string, number> {
  if (summary.kind === 'segmentation') return new Map(summary.perSample.map((sample) => [sample.id, sample.iou]));
  return new Map(summary.perSample.map((sample) => [sample.id, sample.correct ? 1 : 0]));
}

export async function compareRuns(directories: readonly string[], options: BootstrapOptions = {}): Promise<Comparison> {
  if (directories.length < 2) throw mmevolveError('invalid-input', 'compare needs at least two run folders', 'Pass RUN_A RUN_B [RUN_C …] (folders written by mmevolve eval or eval-vqa).');
  const runs: ComparedRun[] = [];
  for (const directory of directories) {
    const { manifest, summary } = await loadRunSummary(directory);
    runs.push({ directory, label: path.basename(path.resolve(directory)), manifest, summary });
  }
  const kinds = new Set(runs.map((run) => run.summary.kind));
  if (kinds.size > 1) throw mmevolveError('invalid-input', 'cannot compare segmentation runs with VQA runs', 'Compare runs of the same command (eval with eval, eval-vqa with eval-vqa).');
  const first = runs[0];
  if (first === undefined) throw mmevolveError('internal', 'no runs loaded', 'This is a bug.');
  const warnings: string[] = [];
  const datasets = new Set(runs.map((run) => run.manifest.dataset));
  if (datasets.size > 1) warnings.push(`the runs use different datasets (${[...datasets].join(', ')}): only samples with the same id are paired`);
  const simulatedFlags = new Set(runs.map((run) => run.manifest.simulated));
  if (simulatedFlags.size > 1) warnings.push('some runs are SIMULATED and some are not: their numbers are not comparable');
  const baselineMetric = perSampleMetric(first.summary);
  const differences: PairedDifference[] = runs.slice(1).map((run) => {
    const metric = perSampleMetric(run.summary);
    const shared = [...baselineMetric.keys()].filter((id) => metric.has(id)).sort();
    const unshared = baselineMetric.size + metric.size - 2 * shared.length;
    const interval = pairedBootstrap(
      shared.map((id) => baselineMetric.get(id) ?? 0),
      shared.map((id) => metric.get(id) ?? 0),
      options,
    );
    if (shared.length === 0) warnings.push(`${run.label} shares no sample with ${first.label}`);
    return { ...interval, baseline: first.label, run: run.label, metric: first.summary.kind === 'segmentation' ? 'gIoU' : 'accuracy', unshared };
  });
  return { kind: first.summary.kind, simulated: runs.some((run) => run.manifest.simulated), runs, differences, warnings };
}

function settingLabel(manifest: RunManifest): string {
  const preset = manifest.settings.preset;
  const ablate = manifest.settings.ablate;
  return [manifest.method, typeof preset === 'string' && manifest.method === 'evol' ? preset : undefined, typeof ablate === 'string' ? `-${ablate}` : undefined].filter((part) => part !== undefined).join(' ');
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  ');
}

function textTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)));
  return [pad(header, widths), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map((row) => pad(row, widths))];
}

function signedPoints(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;
}

/** Calls per sample, with the cache hits among them named (they cost nothing now). */
function callsText(costs: CostSummary): string {
  const hits = costs.cached.callsPerSample;
  return hits === 0 ? costs.callsPerSample.toFixed(2) : `${costs.callsPerSample.toFixed(2)} (${hits.toFixed(2)} cached)`;
}

export function formatComparison(comparison: Comparison): string {
  const lines: string[] = [];
  if (comparison.simulated) lines.push('SIMULATED runs (SynthWorld): these numbers describe the simulation, never a real model.', '');
  if (comparison.kind === 'segmentation') {
    const rows = comparison.runs.map(({ label, manifest, summary }) => {
      if (summary.kind !== 'segmentation') return [label];
      const encodes = summary.countersPerSample.segmenterImageEncodes;
      const roleCalls = (...roles: string[]): string => roles.reduce((sum, role) => sum + (summary.costs.byBackend[role]?.callsPerSample ?? 0), 0).toFixed(2);
      return [
        label,
        settingLabel(manifest),
        String(summary.n),
        percent(summary.scores.giou),
        percent(summary.scores.ciou),
        percent(summary.scores.subsets.short.giou),
        percent(summary.scores.subsets.long.giou),
        callsText(summary.costs),
        roleCalls('mllm', 'judge'),
        roleCalls('segmenter'),
        (summary.costs.promptTokensPerSample + summary.costs.completionTokensPerSample).toFixed(0),
        encodes === undefined ? '-' : encodes.toFixed(2),
        String(summary.failed),
      ];
    });
    lines.push(...textTable(['run', 'method', 'n', 'gIoU', 'cIoU', 'short gIoU', 'long gIoU', 'calls/sample', 'MLLM', 'segmenter', 'fresh tokens/sample', 'encodes/image', 'failed'], rows));
  } else {
    const rows = comparison.runs.map(({ label, manifest, summary }) => {
      if (summary.kind !== 'vqa') return [label];
      return [
        label,
        settingLabel(manifest),
        String(summary.n),
        percent(summary.accuracy.accuracy),
        String(summary.lessons.written),
        String(summary.lessons.merged),
        summary.lessons.retrievedPerProblem.toFixed(2),
        summary.retrievalPrecision === undefined ? '-' : `${percent(summary.retrievalPrecision.precision)} (chance ${percent(summary.retrievalPrecision.chance)})`,
        callsText(summary.costs),
        (summary.costs.promptTokensPerSample + summary.costs.completionTokensPerSample).toFixed(0),
        String(summary.failed),
      ];
    });
    lines.push(...textTable(['run', 'method', 'n', 'accuracy', 'written', 'merged', 'retrieved/problem', 'retrieval precision', 'calls/sample', 'fresh tokens/sample', 'failed'], rows));
  }
  if (comparison.differences.length > 0) {
    const first = comparison.differences[0];
    const resamples = first?.resamples ?? 0;
    lines.push('', `Paired bootstrap (${resamples.toLocaleString('en-US')} resamples, seed ${first?.seed ?? 1}), difference run − ${first?.baseline ?? ''} in points on shared samples:`);
    lines.push(
      ...textTable(
        ['run', 'metric', 'shared n', 'difference', '95% CI', 'excludes 0', 'unshared'],
        comparison.differences.map((difference) => [
          difference.run,
          difference.metric,
          String(difference.n),
          Number.isNaN(difference.difference) ? '-' : signedPoints(difference.difference),
          Number.isNaN(difference.low) ? '-' : `[${signedPoints(difference.low)}, ${signedPoints(difference.high)}]`,
          difference.excludesZero ? 'yes' : 'no',
          String(difference.unshared),
        ]),
      ),
    );
  }
  for (const warning of comparison.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

/** Quality vs calls per sample, one point per run. */
export function comparisonScatterSvg(comparison: Comparison): string {
  const points = comparison.runs.map(({ label, summary }) => ({
    x: summary.costs.callsPerSample,
    y: summary.kind === 'segmentation' ? (summary.scores.giou ?? 0) : (summary.accuracy.accuracy ?? 0),
    series: label,
    label,
  }));
  const metric = comparison.kind === 'segmentation' ? 'gIoU' : 'accuracy';
  return scatterSvg(`${metric} vs backend calls per sample${comparison.simulated ? ' (SIMULATED)' : ''}`, points, 'calls per sample', metric, { yRange: [0, 1], labelPoints: true });
}
