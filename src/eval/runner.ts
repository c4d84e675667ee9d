/**
 * The generic resumable loop behind `eval` and `eval-vqa`: skip samples already in results.jsonl, run the
 * rest with bounded concurrency, append one line per finished sample, record per-sample failures by error
 * code, and on abort (Ctrl-C) drop in-flight samples without writing them so the file stays consistent.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { isMmevolveError } from '../core/index.js';
import { DEFAULT_OUTAGE_POLICY, isTransportFailure, isTransportFailureLine, throughOutages } from './outage.js';
import type { OutagePolicy } from './outage.js';
import type { ProgressReporter } from './progress.js';
import type { ResultLineBase, RunStore } from './run-store.js';

export interface RunSamplesOptions<Sample, Line extends ResultLineBase> {
  store: RunStore<Line>;
  samples: readonly Sample[];
  id: (sample: Sample) => string;
  /** Produce the line of a finished sample; throw for a failure (recorded through `failed`). */
  run: (sample: Sample, signal: AbortSignal) => Promise<Line>;
  /** The line recorded when `run` throws (status 'failed', error code and message). */
  failed: (sample: Sample, error: SampleError) => Promise<Line> | Line;
  /** Backend outages: how long a sample is paused and retried before it counts as failed (default 120 s). */
  outage?: OutagePolicy;
  /** Run failed samples of an earlier invocation again (transport failures are rerun in any case). */
  retryFailed?: boolean;
  /** Hears of each outage pause (stderr line, tests). */
  onOutagePause?: (sampleId: string, error: unknown, delayMs: number) => void;
  /** Only the first N samples (in dataset order) belong to this invocation. */
  limit?: number;
  /** Samples in flight at once (1 = the online protocol: strictly in order). */
  concurrency?: number;
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** Running metric shown beside the bar, from all lines so far (e.g. "gIoU 61.2"). */
  metric?: (lines: readonly Line[]) => string;
}

export interface RunSamplesOutcome<Line> {
  /** Every line of the run in dataset order (resumed ones included), for the samples within the limit. */
  lines: Line[];
  /** Samples finished by this invocation. */
  ran: number;
  /** Samples skipped because results.jsonl already had them. */
  skipped: number;
  failed: number;
  interrupted: boolean;
  /** Samples within the limit still without a line (non-zero only when interrupted). */
  remaining: number;
}

export async function runSamples<Sample, Line extends ResultLineBase>(options: RunSamplesOptions<Sample, Line>): Promise<RunSamplesOutcome<Line>> {
  const { store, id } = options;
  const selected = options.limit === undefined ? options.samples : options.samples.slice(0, Math.max(0, options.limit));
  const lines = new Map<string, Line>();
  // Failed lines stay failed on resume unless the failure was the backend's (an outage) or --retry-failed asks.
  const rerun = (line: Line): boolean => line.status === 'failed' && (options.retryFailed === true || isTransportFailureLine(line));
  for (const sample of selected) {
    const existing = store.finished.get(id(sample));
    if (existing !== undefined && !rerun(existing)) lines.set(id(sample), existing);
  }
  const skipped = lines.size;
  const pending = selected.filter((sample) => !lines.has(id(sample)));
  const controller = new AbortController();
  // Every in-flight backend call listens on this signal; dozens at once are expected, not a leak.
  setMaxListeners(0, controller.signal);
  const outer = options.signal;
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) forward();
  outer?.addEventListener('abort', forward, { once: true });
  const limiter = pLimit(Math.max(1, options.concurrency ?? 1));
  let ran = 0;
  let failed = 0;
  const metric = (): string => (options.metric === undefined ? '' : options.metric([...lines.values()]));
  options.progress?.start(selected.length, skipped, metric());

  const runOne = async (sample: Sample): Promise<void> => {
    if (controller.signal.aborted) return;
    let line: Line;
    try {
      line = await throughOutages(() => options.run(sample, controller.signal), options.outage ?? DEFAULT_OUTAGE_POLICY, controller.signal, (error, delayMs) => options.onOutagePause?.(id(sample), error, delayMs));
    } catch (error) {
      // A sample cut short by Ctrl-C is not a failure of the sample: leave it for the resumed run.
      if (controller.signal.aborted) return;
      line = await options.failed(sample, describeError(error));
    }
    if (controller.signal.aborted) return;
    await store.append(line);
    lines.set(id(sample), line);
    ran += 1;
    if (line.status === 'failed') failed += 1;
    options.progress?.update(lines.size, metric());
  };

  try {
    await Promise.all(pending.map((sample) => limiter(() => runOne(sample))));
  } finally {
    outer?.removeEventListener('abort', forward);
    options.progress?.stop();
  }
  const ordered = selected.map((sample) => lines.get(id(sample))).filter((line): line is Line => line !== undefined);
  return {
    lines: ordered,
    ran,
    skipped,
    failed,
    interrupted: controller.signal.aborted,
    remaining: selected.length - ordered.length,
  };
}

export interface SampleError {
  code: string;
  message: string;
  /** The backend was unreachable or failing (outage), not the sample: a resumed run tries it again. */
  transport?: boolean;
}

/** The failure taxonomy: MmevolveError codes as they are, anything else as 'internal'. */
export function describeError(error: unknown): SampleError {
  if (isMmevolveError(error)) return { code: String(error.code), message: error.message, ...(isTransportFailure(error) ? { transport: true } : {}) };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}
