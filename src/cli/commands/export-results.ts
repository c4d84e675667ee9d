/**
 * `mmevolve export-results RUN --format lmms-eval|vlmevalkit --out DIR`: a finished eval run in lmms-eval's
 * `*_results.json` + `*_samples_<task>.jsonl`, or VLMEvalKit's per-dataset prediction file and `_acc.csv`
 * result table (src/eval/harness-export.ts). Prints the files written; says SIMULATED for simulated runs.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { HARNESS_FORMATS, loadHarnessExportContext, writeLmmsEvalFiles, writeVlmevalkitFiles } from '../../eval/index.js';
import type { HarnessFormat } from '../../eval/index.js';

export async function runExportResultsCommand(run: string, options: { format: HarnessFormat; out: string }): Promise<string> {
  const context = await loadHarnessExportContext(run);
  const lines: string[] = [];
  if (options.format === 'lmms-eval') {
    const files = await writeLmmsEvalFiles(context, options.out);
    lines.push(`wrote lmms-eval task ${context.task} (${context.lines.length} samples): ${files.results}`, `samples: ${files.samples}`);
  } else {
    const files = await writeVlmevalkitFiles(context, options.out);
    lines.push(`wrote VLMEvalKit dataset ${context.dataset} (${context.splitLabel}, ${context.lines.length} samples): ${files.table}`, `predictions: ${files.predictions}`);
  }
  const shown = context.metrics.map((metric) => `${metric.name} ${metric.value === null ? 'n/a' : metric.value.toFixed(4)}`).join(', ');
  lines.push(`metrics: ${shown}`);
  if (context.manifest.simulated) lines.push('SIMULATED run: these numbers come from simulated models and data, not a real model result.');
  return `${lines.join('\n')}\n`;
}

export function registerExportResultsCommand(program: Command): void {
  program
    .command('export-results')
    .description("Write an eval run's results in lmms-eval's or VLMEvalKit's result files, to put its numbers beside theirs")
    .argument('<run>', 'run folder written by mmevolve eval')
    .addOption(new Option('--format <format>', 'lmms-eval (<model>/<date>_results.json + _samples_<task>.jsonl) or vlmevalkit (<model>/<eval_id>/<model>_<dataset>.tsv + _acc.csv)').choices([...HARNESS_FORMATS]).makeOptionMandatory())
    .requiredOption('--out <dir>', 'output folder (lmms-eval --output_path / VLMEvalKit --work-dir)')
    .action(async (run: string, options: { format: HarnessFormat; out: string }) => {
      process.stdout.write(await runExportResultsCommand(run, options));
    });
}
