/**
 * `mmevolve export-pairs RUN --format trl-dpo|internvl-mpo|gspo|pairs --out FILE.jsonl`: training data from
 * an eval run's traces — preference pairs from arena verdicts and final arbitrations, or scored GSPO groups —
 * in the layout a trainer loads (README documents each, with a loading snippet). Prints what was written
 * and what was skipped, and says SIMULATED for simulated runs.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXPORT_FORMATS, requireManifest, writeTrainingExport } from '../../eval/index.js';
import type { ExportFormat } from '../../eval/index.js';

export async function runExportPairsCommand(run: string, options: { format: ExportFormat; out: string }): Promise<string> {
  const manifest = await requireManifest(run);
  const { summary, files, images } = await writeTrainingExport(run, options.format, options.out);
  const sources = Object.entries(summary.bySource).map(([source, count]) => `${source} ${count}`).join(', ') || 'none';
  const skipped = Object.entries(summary.skipped).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none';
  const lines = [
    `wrote ${summary.records} ${options.format} record(s) from ${summary.traces} trace(s) to ${files.jsonl} (${sources}); skipped: ${skipped}`,
    ...(files.images === undefined ? [] : [`copied ${images} image(s) to ${files.images}`]),
    ...(files.meta === undefined ? [] : [`InternVL meta (--meta_path): ${files.meta}`]),
    ...(manifest.simulated ? ['SIMULATED run: these records come from simulated models and data, not real model behaviour.'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerExportPairsCommand(program: Command): void {
  program
    .command('export-pairs')
    .description("Turn an eval run's arena verdicts and final arbitrations into preference pairs (TRL DPO, InternVL MPO), or its populations into GSPO groups (JSONL + images)")
    .argument('<run>', 'run folder written by mmevolve eval')
    .addOption(new Option('--format <format>', 'trl-dpo, internvl-mpo, gspo (TRL GRPO/GSPO prompts with scored groups) or pairs (analysis: masks and reasons)').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .requiredOption('--out <file>', 'output .jsonl file; images are copied to images/ beside it')
    .action(async (run: string, options: { format: ExportFormat; out: string }) => {
      process.stdout.write(await runExportPairsCommand(run, options));
    });
}
