import { Command } from 'commander';
import { registerSimMakeDatasetCommand } from './sim-make-dataset.js';
import { registerSimServeEmbeddingsCommand, registerSimServeMllmCommand, registerSimServeSegmenterCommand } from './sim-serve.js';

/**
 * `mmevolve sim …`: the simulated test bed (SynthWorld datasets and simulated model servers).
 * Each subcommand is a function that adds itself to the `sim` group; add one line per subcommand to
 * SIM_SUBCOMMANDS (the function may live in its own file, e.g. src/cli/commands/sim-serve-mllm.ts).
 */
export type SimSubcommand = (sim: Command) => void;

const SIM_SUBCOMMANDS: readonly SimSubcommand[] = [
  // one line per subcommand
  registerSimMakeDatasetCommand,
  registerSimServeMllmCommand,
  registerSimServeSegmenterCommand,
  registerSimServeEmbeddingsCommand,
];

export function registerSimCommand(program: Command): void {
  const sim = new Command('sim').description(
    'Simulated test bed: SynthWorld datasets and SIMULATED model servers (no real model involved).',
  );
  for (const addSubcommand of SIM_SUBCOMMANDS) addSubcommand(sim);
  program.addCommand(sim);
}
