import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import type { ScoreReport, SubsetScore } from '../../eval/index.js';
import { scoreReasonSeg, scoreReportJson } from '../../eval/index.js';
import { addDatasetOptions, datasetSpecFrom } from './dataset-options.js';
import type { DatasetFlags } from './dataset-options.js';

/**
 * `mmevolve score --dataset DIR --predictions P [--json]`: LISA gIoU/cIoU of predicted masks on a ReasonSeg
 * folder. The table shows percentages with 2 decimals; --json prints fractions 0–1. Warnings go to stderr.
 */
export interface ScoreCommandOptions extends DatasetFlags {
  dataset: string;
  predictions: string;
  json?: boolean;
}

export interface ScoreCommandOutput {
  stdout: string;
  stderr: string;
}

export async function runScoreCommand(options: ScoreCommandOptions): Promise<ScoreCommandOutput> {
  const report = await scoreReasonSeg(options.dataset, options.predictions, datasetSpecFrom(options));
  if (report.n > 0 && report.missing.length === report.n) {
    throw mmevolveError(
      'not-found',
      `none of the ${report.n} samples has a prediction in ${options.predictions}`,
      'Point --predictions at the folder of name.png masks or the name → RLE JSON written for this dataset (eval --save-masks writes both); sample names look like ' + report.missing.slice(0, 3).join(', ') + '.',
    );
  }
  const stderr = report.warnings.map((warning) => `warning [${warning.code}]: ${warning.message}\n`).join('');
  const stdout = options.json === true ? `${JSON.stringify(scoreReportJson(report))}\n` : formatScoreTable(report, options);
  return { stdout, stderr };
}

const MISSING_SHOWN = 10;

export function formatScoreTable(report: ScoreReport, options: ScoreCommandOptions): string {
  const rows: Array<[string, SubsetScore]> = [
    ['overall', report],
    ['short', report.subsets.short],
    ['long', report.subsets.long],
  ];
  const lines = [
    `${options.format === undefined || options.format === 'reasonseg' ? 'ReasonSeg scores' : `${options.format} ${options.split ?? ''} scores`} (LISA gIoU/cIoU) for ${options.predictions} on ${options.dataset}`,
    ...(report.simulated
      ? ['SIMULATED data (SynthWorld manifest found): these scores describe the simulation, never a real model.']
      : []),
    '',
    `${'subset'.padEnd(8)} ${'n'.padStart(6)} ${'gIoU'.padStart(8)} ${'cIoU'.padStart(8)}`,
    ...rows.map(
      ([label, score]) =>
        `${label.padEnd(8)} ${String(score.n).padStart(6)} ${percent(score.giou).padStart(8)} ${percent(score.ciou).padStart(8)}`,
    ),
  ];
  if (report.grefcoco !== undefined) {
    const g = report.grefcoco;
    lines.push('', `gRefCOCO (ReLA rules; an empty mask answers "no target"): gIoU ${percent(g.giou)}  cIoU ${percent(g.ciou)}  N-acc ${percent(g.nAcc)}  T-acc ${percent(g.tAcc)}  (TP ${g.confusion.TP}, FN ${g.confusion.FN}, TN ${g.confusion.TN}, FP ${g.confusion.FP})`);
  }
  if (report.saco !== undefined) {
    const s = report.saco;
    lines.push('', `SA-Co (SAM 3 cgF1 evaluator, oracle over annotators): cgF1 ${percent(s.cgF1)}  pmF1 ${percent(s.pmF1)}  IL_MCC ${s.ilMcc.toFixed(2)}  (cgF1@0.5 ${percent(s.cgF1At50)}, @0.75 ${percent(s.cgF1At75)}; image level TP ${s.imageLevel.TP}, FN ${s.imageLevel.FN}, TN ${s.imageLevel.TN}, FP ${s.imageLevel.FP})`);
  }
  if (report.missing.length > 0) {
    const shown = report.missing.slice(0, MISSING_SHOWN).join(', ');
    const more = report.missing.length > MISSING_SHOWN ? `, … (${report.missing.length - MISSING_SHOWN} more; --json lists all)` : '';
    lines.push('', `missing predictions (${report.missing.length}, scored as empty masks): ${shown}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(2)}%`;
}

export function registerScoreCommand(program: Command): void {
  const command = program
    .command('score')
    .description('Score predicted masks with LISA gIoU/cIoU (overall, short, long); gRefCOCO adds N-acc/T-acc')
    .requiredOption('--dataset <dir>', 'ReasonSeg folder (name.jpg + name.json pairs), or the --format dataset folder');
  addDatasetOptions(command)
    .requiredOption('--predictions <path>', 'folder of name.png masks (non-zero = foreground) or JSON mapping name → COCO RLE')
    .option('--json', 'print {"giou","ciou","n","missing","subsets"} with scores as fractions 0–1')
    .action(async (options: ScoreCommandOptions) => {
      const output = await runScoreCommand(options);
      process.stderr.write(output.stderr);
      process.stdout.write(output.stdout);
    });
}
