/**
 * `mmevolve export-pairs RUN --format dpo|mpo|gspo --out FILE.jsonl`: training data from an eval run's
 * traces — preference pairs from arena verdicts and final arbitrations, or GSPO groups (README documents
 * the schema). Prints what was written and what was skipped, and says SIMULATED for simulated runs.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { PAIR_FORMATS, exportPairs, requireManifest } from '../../eval/index.js';
import type { PairFormat } from '../../eval/index.js';

export async function runExportPairsCommand(run: string, options: { format: PairFormat; out: string }): Promise<string> {
  const manifest = await requireManifest(run);
  const { records, summary } = await exportPairs(run, options.format);
  await writeFile(options.out, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  const sources = Object.entries(summary.bySource).map(([source, count]) => `${source} ${count}`).join(', ') || 'none';
  const skipped = Object.entries(summary.skipped).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none';
  const lines = [
    `wrote ${summary.records} ${options.format} record(s) from ${summary.traces} trace(s) to ${options.out} (${sources}); skipped: ${skipped}`,
    ...(manifest.simulated ? ['SIMULATED run: these records come from simulated models and data, not real model behaviour.'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerExportPairsCommand(program: Command): void {
  program
    .command('export-pairs')
    .description('Turn an eval run\'s arena verdicts and final arbitrations into DPO/MPO preference pairs, or its populations into GSPO groups (JSONL)')
    .argument('<run>', 'run folder written by mmevolve eval')
    .addOption(new Option('--format <format>', 'record layout').choices([...PAIR_FORMATS]).makeOptionMandatory())
    .requiredOption('--out <file>', 'output JSONL file')
    .action(async (run: string, options: { format: PairFormat; out: string }) => {
      process.stdout.write(await runExportPairsCommand(run, options));
    });
}
