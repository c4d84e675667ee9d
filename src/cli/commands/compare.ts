/**
 * `mmevolve compare RUN_A RUN_B … [--plot FILE.svg] [--resamples N] [--seed S] [--json]`: side-by-side
 * table of runs with paired-bootstrap 95% intervals on the metric difference to the first run.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { compareRuns, comparisonScatterSvg, formatComparison } from '../../eval/index.js';
import { positiveInteger } from './eval.js';

export interface CompareCommandOptions {
  plot?: string;
  resamples: number;
  seed: number;
  json?: boolean;
}

export async function runCompareCommand(runs: readonly string[], options: CompareCommandOptions): Promise<string> {
  const comparison = await compareRuns(runs, { resamples: options.resamples, seed: options.seed });
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
    .action(async (runs: string[], options: CompareCommandOptions) => {
      process.stdout.write(await runCompareCommand(runs, options));
    });
}
