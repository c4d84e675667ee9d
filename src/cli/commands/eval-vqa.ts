/**
 * `mmevolve eval-vqa --dataset FILE.jsonl --method baseline|step|memory [--ablate visual|logic]
 * [--tenant T] [--db PATH] [--config FILE] --out RUN [--limit N] [--no-cache]`: the online protocol over a
 * MATH-V style jsonl (problems in order, memory growing from earlier failures) into a resumable run, then
 * RUN/report.md and report.json. The memory lives in RUN/memory.sqlite unless --db names another one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { createBackends, loadConfig } from '../../backends/index.js';
import type { Embedder } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { createProgressReporter, interruptOnSigint, runVqaEval } from '../../eval/index.js';
import { mathVProblem, openMemoryStore, parseMemoryMethodConfig, solveWithMemory } from '../../memory/index.js';
import type { SolveMode, SqliteMemoryStore } from '../../memory/index.js';
import { readImage } from '../../vision/index.js';
import { backendModels, finishEvalCommand, isSimulatedModel, positiveInteger, quoteCommand } from './eval.js';
import { addOutageOptions, outageRunOptions } from './outage-options.js';
import type { OutageFlags } from './outage-options.js';
import type { EvalCommandIo, EvalCommandResult } from './eval.js';

export interface EvalVqaCommandOptions extends Partial<OutageFlags> {
  dataset: string;
  method: SolveMode;
  ablate?: 'visual' | 'logic';
  tenant: string;
  db?: string;
  config?: string;
  out: string;
  limit?: number;
  cache: boolean;
}

export type EvalVqaCommandIo = EvalCommandIo;

export const RUN_MEMORY_FILE = 'memory.sqlite';

async function openWorkspace(file: string, embedder: Embedder): Promise<SqliteMemoryStore> {
  if (existsSync(file)) return openMemoryStore({ path: file });
  const [probe] = await embedder.embedTexts(['dimension probe']);
  if (probe === undefined) throw mmevolveError('backend-http', 'the embedder returned no vector', 'Check backends.embedder.');
  return openMemoryStore({ path: file, dimensions: probe.length, embeddingModel: embedder.model });
}

export async function runEvalVqaCommand(options: EvalVqaCommandOptions, io: EvalVqaCommandIo): Promise<EvalCommandResult> {
  if (options.ablate !== undefined && options.method !== 'memory') {
    throw mmevolveError('invalid-input', `--ablate ${options.ablate} needs --method memory`, 'Ablations remove one lesson stream of the memory method.');
  }
  const { config, path: configPath } = await loadConfig(options.config);
  const methodConfig = parseMemoryMethodConfig((config as Record<string, unknown>).memory ?? {}, `${configPath}: memory`);
  const backends = createBackends(config, { cache: options.cache, directory: path.dirname(configPath) });
  let store: SqliteMemoryStore | undefined;
  try {
    const { mllm, judge, embedder } = backends;
    if (mllm === undefined) throw mmevolveError('config-invalid', `${configPath} needs backends.mllm`, 'Add it (README "## Configuration").');
    if (options.method === 'memory' && embedder === undefined) {
      throw mmevolveError('config-invalid', `${configPath} needs backends.embedder for --method memory`, 'Add an embedding server, or {"kind": "offline"} for the lexical/perceptual fallback.');
    }
    const database = path.resolve(options.db ?? path.join(options.out, RUN_MEMORY_FILE));
    const models = backendModels(backends);
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
        if (options.method === 'memory' && store === undefined && embedder !== undefined) store = await openWorkspace(database, embedder);
        const problem = mathVProblem(record, await readImage(record.imagePath));
        return solveWithMemory(problem, {
          mllm,
          embedder: embedder ?? refusingEmbedder(),
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
    await store?.close();
    backends.close();
  }
}

/** Baseline and step never embed; this stands in when no embedder is configured. */
function refusingEmbedder(): Embedder {
  const refuse = (): Promise<never> => Promise.reject(mmevolveError('config-invalid', 'no embedder configured', 'Add backends.embedder.'));
  return { model: 'none', kind: 'semantic', embedTexts: refuse, embedImages: refuse };
}

export function registerEvalVqaCommand(program: Command): void {
  addOutageOptions(program.command('eval-vqa'))
    .description('Evaluate visual question answering (MATH-V jsonl) online: baseline, step-by-step or the error memory (resumable), then RUN/report.md')
    .requiredOption('--dataset <file>', 'MATH-V style .jsonl (id, question, options, answer, image); SynthWorld hidden-tags.jsonl beside it adds retrieval precision')
    .addOption(new Option('--method <method>', 'direct answer, step by step, or the memory method').choices(['baseline', 'step', 'memory']).makeOptionMandatory())
    .addOption(new Option('--ablate <stream>', 'memory without one lesson stream').choices(['visual', 'logic']))
    .option('--tenant <id>', 'memory tenant', 'eval')
    .option('--db <path>', `memory database (default: RUN/${RUN_MEMORY_FILE}, a fresh memory per run)`)
    .option('--config <file>', 'mmevolve config (backends; an optional "memory" section sets the method)')
    .requiredOption('--out <dir>', 'run folder (created; rerunning the same command resumes it)')
    .option('--limit <n>', 'only the first N problems', positiveInteger('--limit'))
    .option('--no-cache', 'bypass the response cache')
    .action(async (options: EvalVqaCommandOptions) => {
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
