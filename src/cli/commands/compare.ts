/**
 * `mmevolve compare RUN_A RUN_B … [--plot FILE.svg] [--resamples N] [--seed S] [--json]`: side-by-side
 * table of runs with paired-bootstrap 95% intervals on the metric difference to the first run.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { compareRuns, comparisonScatterSvg, formatComparison } from '../../eval/index.js';
import type { Comparison } from '../../eval/index.js';
import { positiveInteger } from './eval.js';

export interface CompareCommandOptions {
  plot?: string;
  resamples: number;
  seed: number;
  json?: boolean;
  /** Compare even when a run has failed samples (a loud warning is printed instead of refusing). */
  allowFailed?: boolean;
}

/**
 * Failed samples score as empty masks or wrong answers: a run that lost samples to an outage looks worse
 * for reasons that have nothing to do with its method, and the paired bootstrap calls that significant.
 */
function failedSamples(comparison: Comparison): string[] {
  return comparison.runs.flatMap(({ label, summary }) => (summary.failed > 0 ? [`${label}: ${summary.failed} failed sample(s)`] : []));
}

export async function runCompareCommand(runs: readonly string[], options: CompareCommandOptions, stderr: (text: string) => void = (text) => process.stderr.write(text)): Promise<string> {
  const comparison = await compareRuns(runs, { resamples: options.resamples, seed: options.seed });
  const failed = failedSamples(comparison);
  if (failed.length > 0) {
    if (options.allowFailed !== true) {
      throw mmevolveError('invalid-input', `cannot compare runs with failed samples (${failed.join('; ')}): failures count as wrong and would pass for a difference between methods`, 'Rerun them first (mmevolve eval … --retry-failed), or pass --allow-failed to compare anyway.');
    }
    comparison.warnings.unshift(`FAILED SAMPLES (${failed.join('; ')}) count as wrong: differences include them, not only the methods`);
    stderr(`\n  !!! WARNING: ${failed.join('; ')}. Failed samples count as wrong answers / empty masks, so the differences below are NOT only the methods'. Rerun with --retry-failed.\n\n`);
  }
  if (options.plot !== undefined) await writeFile(options.plot, comparisonScatterSvg(comparison));
  if (options.json === true) {
    const json = {
      kind: comparison.kind,
      simulated: comparison.simulated,
      runs: comparison.runs.map(({ directory, label, manifest, summary }) => {
        const { perSample: _perSample, ...rest } = summary;
        return { directory, label, method: manifest.method, settings: manifest.settings, summary: rest };
      }),
      differences: comparison.differences,
      warnings: comparison.warnings,
    };
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  return formatComparison(comparison);
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('Compare runs side by side with paired-bootstrap 95% intervals on the gIoU (or accuracy) difference to the first run')
    .argument('<runs...>', 'run folders written by mmevolve eval or eval-vqa (the first is the baseline)')
    .option('--plot <file>', 'write a quality-vs-calls scatter (SVG), one point per run')
    .option('--resamples <n>', 'bootstrap resamples', positiveInteger('--resamples'), 10_000)
    .option('--seed <s>', 'bootstrap seed', positiveInteger('--seed'), 1)
    .option('--json', 'print the comparison as JSON')
    .option('--allow-failed', 'compare even when a run has failed samples (with a loud warning; default: refuse)')
    .action(async (runs: string[], options: CompareCommandOptions) => {
      process.stdout.write(await runCompareCommand(runs, options));
    });
}
