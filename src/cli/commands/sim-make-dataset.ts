import { Option } from 'commander';
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { exportDataset } from '../../sim/index.js';
import type { DatasetTask } from '../../sim/index.js';

function integer(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw mmevolveError('invalid-input', `${name} must be a non-negative integer, got "${value}"`, `pass e.g. ${name} 1`);
    return Number(value);
  };
}

/** `mmevolve sim make-dataset --task reasonseg|vqa --n N --seed S --out DIR`: write simulated SynthWorld data. */
export function registerSimMakeDatasetCommand(sim: Command): void {
  sim
    .command('make-dataset')
    .description('Write a SIMULATED SynthWorld dataset: ReasonSeg layout (reasonseg) or MATH-V jsonl layout (vqa).')
    .addOption(new Option('--task <task>', 'dataset layout').choices(['reasonseg', 'vqa']).makeOptionMandatory())
    .option('--n <count>', 'number of samples', integer('--n'), 200)
    .option('--seed <seed>', 'generator seed (same seed ⇒ byte-identical files)', integer('--seed'), 1)
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .action(async (options: { task: DatasetTask; n: number; seed: number; out: string }) => {
      const step = Math.max(1, Math.round(options.n / 10));
      const summary = await exportDataset(options.task, {
        n: options.n,
        seed: options.seed,
        out: options.out,
        onProgress: (done, total) => {
          if (done % step === 0 || done === total) process.stderr.write(`simulated SynthWorld ${options.task}: ${done}/${total}\n`);
        },
      });
      process.stdout.write(
        `wrote ${summary.n} simulated SynthWorld ${summary.task} samples (seed ${options.seed}) to ${summary.out} ` +
          `(${summary.files.length} files; see sim-manifest.json)\n`,
      );
    });
}
