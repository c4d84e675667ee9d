/**
 * `mmevolve eval --dataset DIR --method evol|single|box|agent --out RUN [--preset P] [--config FILE |
 * --base-url URL --model ID --segmenter-url URL] [--limit N] [--concurrency K] [--no-cache]`: run a segmentation method over a ReasonSeg folder into a
 * resumable run folder, then write RUN/report.md, report.json and plots. Rerunning the same command resumes.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { SEGMENTATION_METHODS, isSegmentationMethod } from '../../evolve/index.js';
import type { EvolvePresetName } from '../../evolve/index.js';
import {
  FAILED_SAMPLES_EXIT_CODE,
  INTERRUPTED_EXIT_CODE,
  anySignal,
  createProgressReporter,
  interruptOnSigint,
  resumeMessage,
  runSegmentationEval,
  writeRunReport,
} from '../../eval/index.js';
import { formatRunSummary } from '../../eval/index.js';
import type { ProgressReporter, RunReport, SegmentationRunResult, VqaRunResult } from '../../eval/index.js';
import { addDatasetOptions, datasetSpecFrom } from './dataset-options.js';
import type { DatasetFlags } from './dataset-options.js';
import { addOutageOptions, outageRunOptions } from './outage-options.js';
import type { OutageFlags } from './outage-options.js';
import { backendModels, isSimulatedModel, runSettings, segmentFunction } from './eval-method.js';
import { addQueueEvalOptions, runQueuedEval } from './eval-queued.js';
import type { QueueEvalFlags } from './eval-queued.js';
import { addWorkspaceOptions, openCommandWorkspace, presetOption, resolutionOptions, resolutionOverrides } from './workspace-options.js';
import type { ResolutionFlags, WorkspaceCommandOptions } from './workspace-options.js';

export interface EvalCommandOptions extends DatasetFlags, WorkspaceCommandOptions, Partial<OutageFlags>, QueueEvalFlags, ResolutionFlags {
  dataset: string;
  method: string;
  out: string;
  /** Default: the config's evolve.preset, else DEFAULT_EVOLVE_PRESET. */
  preset?: EvolvePresetName | undefined;
  limit?: number;
  concurrency: number;
  maxCallsPerSample?: number;
  maxTokensPerSample?: number;
  failFastNoTarget?: boolean;
  saveMasks?: string;
}

export interface EvalCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** The command line to print in the resume hint. */
  commandLine?: string;
}

export interface EvalCommandResult {
  report: RunReport;
  interrupted: boolean;
  exitCode: number;
}

export { backendModels, isSimulatedModel };

export async function runEvalCommand(options: EvalCommandOptions, io: EvalCommandIo): Promise<EvalCommandResult> {
  const method = options.method;
  if (!isSegmentationMethod(method)) throw mmevolveError('invalid-input', `unknown --method "${method}"`, `Use one of ${SEGMENTATION_METHODS.join(', ')}.`);
  const workspace = await openCommandWorkspace(options);
  try {
    const { preset, config: evolveConfig } = workspace.evolve(options.preset, resolutionOverrides(options));
    const models = backendModels(workspace.backends);
    const budget = {
      ...(options.maxCallsPerSample === undefined ? {} : { maxCalls: options.maxCallsPerSample }),
      ...(options.maxTokensPerSample === undefined ? {} : { maxTokens: options.maxTokensPerSample }),
      ...(options.failFastNoTarget === true ? { failFastNoTarget: true } : {}),
    };
    const settings = { method, preset, evolve: evolveConfig, datasetSpec: datasetSpecFrom(options), budget };
    const common = {
      dataset: options.dataset,
      datasetSpec: settings.datasetSpec,
      method,
      out: options.out,
      settings: runSettings(settings, models),
      backends: models,
      simulatedBackends: Object.values(models).some(isSimulatedModel),
      segment: segmentFunction(workspace, settings),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      concurrency: options.concurrency,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...outageRunOptions(options, io.stderr),
      progress: io.progress ?? createProgressReporter(`eval ${method}`),
    };
    if (options.queue !== undefined) {
      const result = await runQueuedEval(options, options.queue, common, io);
      return await finishEvalCommand(options.out, result, io, 'mmevolve eval …', result.report);
    }
    const result = await runSegmentationEval({ ...common, ...(options.saveMasks === undefined ? {} : { saveMasks: options.saveMasks }) });
    return await finishEvalCommand(options.out, result, io, 'mmevolve eval …');
  } finally {
    await workspace.close();
  }
}

/**
 * What both eval commands do after the run: its warnings to stderr, the report written, the summary to
 * stdout, and on an interrupted run the resume hint and the interrupted exit code.
 */
export async function finishEvalCommand(out: string, result: SegmentationRunResult | VqaRunResult, io: EvalCommandIo, fallbackCommand: string, built?: RunReport): Promise<EvalCommandResult> {
  for (const warning of result.warnings) io.stderr(`warning [${warning.code}]: ${warning.message}\n`);
  const report = built ?? (await writeRunReport(out));
  io.stdout(formatRunSummary(report, out, result));
  if (result.interrupted) {
    io.stderr(resumeMessage(result.lines.length, result.lines.length + result.remaining, io.commandLine ?? fallbackCommand));
    return { report, interrupted: true, exitCode: INTERRUPTED_EXIT_CODE };
  }
  const failed = result.lines.filter((line) => line.status === 'failed');
  if (failed.length > 0) {
    const codes = [...new Set(failed.map((line) => line.error?.code ?? 'unknown'))].join(', ');
    io.stderr(`error: ${failed.length} of ${result.lines.length} samples failed (${codes}); they count as wrong in the report. Rerun with --retry-failed once the cause is fixed: ${io.commandLine ?? fallbackCommand} --retry-failed\n`);
    return { report, interrupted: false, exitCode: FAILED_SAMPLES_EXIT_CODE };
  }
  return { report, interrupted: false, exitCode: 0 };
}

/** A commander parser for positive integers, naming the option in its error. */
export function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d*$/.test(value)) throw mmevolveError('invalid-input', `${name} must be a positive integer, got "${value}"`, `pass e.g. ${name} 10`);
    return Number(value);
  };
}

/** The command line as a shell would need it typed again (for the resume hint). */
export function quoteCommand(argv: readonly string[]): string {
  return ['mmevolve', ...argv.map((argument) => (/^[\w./:=@%+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`))].join(' ');
}

export function registerEvalCommand(program: Command): void {
  const command = program
    .command('eval')
    .description('Run a segmentation method over a benchmark (ReasonSeg, RefCOCO/+/g, gRefCOCO; resumable), then write RUN/report.md, report.json and plots')
    .requiredOption('--dataset <dir>', 'ReasonSeg folder (name.jpg + name.json pairs, real or SynthWorld), or the --format dataset folder');
  addOutageOptions(addDatasetOptions(command))
    .addOption(new Option('--method <method>', 'segmentation method').choices([...SEGMENTATION_METHODS]).makeOptionMandatory())
    .requiredOption('--out <dir>', 'run folder (created; rerunning the same command resumes it)')
    .addOption(presetOption())
    .addOption(resolutionOptions()[0])
    .addOption(resolutionOptions()[1])
    .option('--limit <n>', 'only the first N samples (in name order)', positiveInteger('--limit'))
    .option('--concurrency <k>', 'samples in flight at once', positiveInteger('--concurrency'), 1)
    .option('--max-calls-per-sample <n>', 'stop a sample after N backend calls (evol answers with its best mask so far)', positiveInteger('--max-calls-per-sample'))
    .option('--max-tokens-per-sample <n>', 'stop a sample once its calls used N prompt + completion tokens', positiveInteger('--max-tokens-per-sample'))
    .option('--save-masks <dir>', 'also write each final mask as DIR/<name>.png and all as DIR/predictions.json (COCO RLE), for mmevolve score')
    .option('--fail-fast-no-target', 'evol: when the planner proposes no phrase, answer "no target" at once (no box stream, no evolution)');
  addWorkspaceOptions(addQueueEvalOptions(command)).action(async (options: EvalCommandOptions) => {
      const interrupt = interruptOnSigint(process, () => process.stderr.write('\nstopping: in-flight samples are cancelled (Ctrl-C again to quit at once)\n'));
      try {
        const result = await runEvalCommand(options, {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          signal: anySignal([interrupt.signal]),
          commandLine: quoteCommand(process.argv.slice(2)),
        });
        process.exitCode = result.exitCode;
      } finally {
        interrupt.dispose();
      }
    });
}
