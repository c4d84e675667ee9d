/**
 * `mmevolve eval-vqa --dataset FILE.jsonl --method baseline|step|memory [--ablate visual|logic]
 * [--tenant T] [--db PATH] [--config FILE] --out RUN [--limit N] [--no-cache]`: the online protocol over a
 * MATH-V style jsonl (problems in order, memory growing from earlier failures) into a resumable run, then
 * RUN/report.md and report.json. The memory lives in RUN/memory.sqlite unless --db names another one.
 */
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { missingEmbedder, noEmbedderError } from '../../app/index.js';
import { mmevolveError } from '../../core/index.js';
import { createProgressReporter, interruptOnSigint, runVqaEval } from '../../eval/index.js';
import { mathVProblem, solveWithMemory } from '../../memory/index.js';
import type { SolveMode } from '../../memory/index.js';
import { readImage } from '../../vision/index.js';
import { backendModels, finishEvalCommand, isSimulatedModel, positiveInteger, quoteCommand } from './eval.js';
import { addOutageOptions, outageRunOptions } from './outage-options.js';
import type { OutageFlags } from './outage-options.js';
import type { EvalCommandIo, EvalCommandResult } from './eval.js';
import { addWorkspaceOptions, openCommandWorkspace } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

export interface EvalVqaCommandOptions extends WorkspaceCommandOptions, Partial<OutageFlags> {
  dataset: string;
  method: SolveMode;
  ablate?: 'visual' | 'logic';
  tenant: string;
  db?: string;
  out: string;
  limit?: number;
}

export type EvalVqaCommandIo = EvalCommandIo;

export const RUN_MEMORY_FILE = 'memory.sqlite';

export async function runEvalVqaCommand(options: EvalVqaCommandOptions, io: EvalVqaCommandIo): Promise<EvalCommandResult> {
  if (options.ablate !== undefined && options.method !== 'memory') {
    throw mmevolveError('invalid-input', `--ablate ${options.ablate} needs --method memory`, 'Ablations remove one lesson stream of the memory method.');
  }
  const database = path.resolve(options.db ?? path.join(options.out, RUN_MEMORY_FILE));
  const workspace = await openCommandWorkspace(options, { storePath: database });
  try {
    const methodConfig = workspace.memory();
    const mllm = workspace.requireMllm();
    const { judge, embedder } = workspace.backends;
    if (options.method === 'memory' && embedder === undefined) throw noEmbedderError();
    const models = backendModels(workspace.backends);
    const settings: Record<string, unknown> = { memory: methodConfig, backends: models };
    if (options.ablate !== undefined) settings.ablate = options.ablate;
    if (options.method === 'memory') Object.assign(settings, { tenant: options.tenant, db: database });
    const result = await runVqaEval({
      dataset: options.dataset,
      method: options.method,
      out: options.out,
      settings,
      backends: models,
      simulatedBackends: Object.values(models).some(isSimulatedModel),
      solve: async (record, signal) => {
        const store = options.method === 'memory' ? await workspace.store() : undefined;
        const problem = mathVProblem(record, await readImage(record.imagePath));
        return solveWithMemory(problem, {
          mllm,
          embedder: embedder ?? missingEmbedder(),
          mode: options.method,
          config: methodConfig,
          signal,
          ...(store === undefined ? {} : { memory: store.forTenant(options.tenant) }),
          ...(judge === undefined ? {} : { judge }),
          ...(options.ablate === undefined ? {} : { ablate: options.ablate }),
        });
      },
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...outageRunOptions(options, io.stderr),
      progress: io.progress ?? createProgressReporter(`eval-vqa ${options.method}${options.ablate === undefined ? '' : `-${options.ablate}`}`),
    });
    return await finishEvalCommand(options.out, result, io, 'mmevolve eval-vqa …');
  } finally {
    await workspace.close();
  }
}

export function registerEvalVqaCommand(program: Command): void {
  const command = addOutageOptions(program.command('eval-vqa'))
    .description('Evaluate visual question answering (MATH-V jsonl) online: baseline, step-by-step or the error memory (resumable), then RUN/report.md')
    .requiredOption('--dataset <file>', 'MATH-V style .jsonl (id, question, options, answer, image); SynthWorld hidden-tags.jsonl beside it adds retrieval precision')
    .addOption(new Option('--method <method>', 'direct answer, step by step, or the memory method').choices(['baseline', 'step', 'memory']).makeOptionMandatory())
    .addOption(new Option('--ablate <stream>', 'memory without one lesson stream').choices(['visual', 'logic']))
    .option('--tenant <id>', 'memory tenant', 'eval')
    .option('--db <path>', `memory database (default: RUN/${RUN_MEMORY_FILE}, a fresh memory per run)`)
    .requiredOption('--out <dir>', 'run folder (created; rerunning the same command resumes it)')
    .option('--limit <n>', 'only the first N problems', positiveInteger('--limit'));
  addWorkspaceOptions(command).action(async (options: EvalVqaCommandOptions) => {
      const interrupt = interruptOnSigint(process, () => process.stderr.write('\nstopping: the problem in flight is cancelled (Ctrl-C again to quit at once)\n'));
      try {
        const result = await runEvalVqaCommand(options, {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          signal: interrupt.signal,
          commandLine: quoteCommand(process.argv.slice(2)),
        });
        process.exitCode = result.exitCode;
      } finally {
        interrupt.dispose();
      }
    });
}
