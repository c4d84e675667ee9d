/**
 * What `eval` and `eval-vqa` runs have in common: the options that name a run (dataset, method, settings,
 * backends) and bound it (limit, signal, progress), and the result they hand back.
 */
import type { Warning } from '../core/index.js';
import type { OutagePolicy } from './outage.js';
import type { ProgressReporter } from './progress.js';
import type { OpenRunOptions, ResultLineBase, RunManifest, RunStore } from './run-store.js';
import type { RunSamplesOptions, RunSamplesOutcome } from './runner.js';

export interface EvalRunOptions {
  /** The dataset: a ReasonSeg folder (eval) or a MATH-V .jsonl file (eval-vqa). */
  dataset: string;
  /** The method name, e.g. 'baseline' | 'step' | 'memory' for eval-vqa (with an optional ablation in settings). */
  method: string;
  out: string;
  /** Result-changing settings (preset, config, fixes…): part of the run's identity. */
  settings: Record<string, unknown>;
  /** Backend role → model id, recorded in run.json. */
  backends: Record<string, string>;
  /** The backends are simulated (the dataset's own manifest is checked here too). */
  simulatedBackends: boolean;
  limit?: number;
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** How long a sample rides out a backend outage before it is recorded as failed. */
  outage?: OutagePolicy;
  /** Rerun the failed samples of an earlier invocation (transport failures are rerun anyway). */
  retryFailed?: boolean;
  onOutagePause?: (sampleId: string, error: unknown, delayMs: number) => void;
  /**
   * Where the run is stored: default a run folder at `out` (openRun); a server with Postgres passes a
   * Postgres run store here so every replica reads the run (pg-run-store.ts).
   */
  openStore?: <Line extends ResultLineBase>(options: OpenRunOptions<Line>) => Promise<RunStore<Line>>;
}

export interface EvalRunResult<Line> extends RunSamplesOutcome<Line> {
  manifest: RunManifest;
  warnings: Warning[];
  resumed: boolean;
}

/** The run's optional bounds, passed on to runSamples only where they were given (exactOptionalPropertyTypes). */
export function runBounds(options: EvalRunOptions): Pick<RunSamplesOptions<unknown, never>, 'limit' | 'signal' | 'progress' | 'outage' | 'retryFailed' | 'onOutagePause'> {
  return {
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.outage === undefined ? {} : { outage: options.outage }),
    ...(options.retryFailed === undefined ? {} : { retryFailed: options.retryFailed }),
    ...(options.onOutagePause === undefined ? {} : { onOutagePause: options.onOutagePause }),
  };
}
