/**
 * `mmevolve eval --queue postgres://… [--run-id ID] [--no-work] [--job-timeout S]`: the same evaluation,
 * distributed. One job per sample goes to a pg-boss queue on that Postgres; `mmevolve worker` processes
 * (any number, on any machine that sees the dataset at the same path) run them, and this command works on
 * jobs too (`--concurrency` at a time) unless --no-work. It shows progress and ETA across all workers,
 * then mirrors the run into --out and writes the report, built from the database.
 */
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_JOB_TIMEOUT_SECONDS, DEFAULT_WORKER_LOST_AFTER_SECONDS, runDistributedSegmentationEval } from '../../eval/index.js';
import type { DistributedRunResult } from '../../eval/index.js';
import type { DistributedRunOptions } from '../../eval/distributed-run.js';

export interface QueueEvalFlags {
  queue?: string;
  runId?: string;
  /** false with --no-work. */
  work?: boolean;
  jobTimeout?: number;
  lostAfter?: number;
}

const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/u;

/** Refuse anything but a postgres:// URL, naming the flag. */
export function postgresUrl(flag: string, value: string): string {
  if (!POSTGRES_URL.test(value)) throw mmevolveError('invalid-input', `${flag} must be a postgres:// URL, got "${value.slice(0, 80)}"`, `Pass e.g. ${flag} postgres://user:password@127.0.0.1:5432/mmevolve`);
  return value;
}

export function jobTimeoutSeconds(value: string): number {
  if (!/^[1-9]\d*$/u.test(value) || Number(value) > 86_400) throw mmevolveError('invalid-input', `--job-timeout must be a whole number of seconds between 1 and 86400, got "${value}"`, 'Pass e.g. --job-timeout 600 (longer than your slowest sample).');
  return Number(value);
}

/** A whole number of seconds in 1..max for `flag`. */
export function secondsFlag(flag: string, example: number, max = 86_400): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d*$/u.test(value) || Number(value) > max) throw mmevolveError('invalid-input', `${flag} must be a whole number of seconds between 1 and ${max}, got "${value}"`, `Pass e.g. ${flag} ${example}.`);
    return Number(value);
  };
}

export function addQueueEvalOptions(command: Command): Command {
  return command
    .option('--queue <postgres-url>', 'distribute the samples as jobs on this Postgres (runs and results are kept there); start workers with mmevolve worker --queue URL', (value: string) => postgresUrl('--queue', value))
    .option('--run-id <id>', 'with --queue: the run\'s id in the database (default: eval-<fingerprint of the run settings>, so the same command resumes it)')
    .option('--no-work', 'with --queue: only enqueue and follow progress; leave every sample to mmevolve worker processes')
    .option('--job-timeout <seconds>', `with --queue: a sample job whose worker is silent this long is retried on another worker (default ${DEFAULT_JOB_TIMEOUT_SECONDS})`, jobTimeoutSeconds)
    .option('--lost-after <seconds>', `with --queue: progress shows a worker whose heartbeat is silent this long as lost (default ${DEFAULT_WORKER_LOST_AFTER_SECONDS}; keep it a few times the workers' --heartbeat)`, secondsFlag('--lost-after', 30));
}

export async function runQueuedEval(flags: QueueEvalFlags & { saveMasks?: string }, url: string, common: Omit<DistributedRunOptions, 'queue' | 'work'>, io: { stderr: (text: string) => void }): Promise<DistributedRunResult> {
  if (flags.runId !== undefined && !/^[\w.-]{1,100}$/u.test(flags.runId)) throw mmevolveError('invalid-input', `--run-id must be 1–100 letters, digits, '.', '_' or '-', got "${flags.runId.slice(0, 100)}"`, 'Pass e.g. --run-id reasonseg-val-evol.');
  const work = flags.work !== false;
  return runDistributedSegmentationEval({
    ...common,
    queue: url,
    work,
    ...(flags.runId === undefined ? {} : { runId: flags.runId }),
    ...(flags.jobTimeout === undefined ? {} : { jobTimeoutSeconds: flags.jobTimeout }),
    ...(flags.lostAfter === undefined ? {} : { workerLostAfterSeconds: flags.lostAfter }),
    ...(flags.saveMasks === undefined ? {} : { saveMasks: flags.saveMasks }),
    onEnqueued: (runId, enqueued, recorded) =>
      io.stderr(`run ${runId}: ${enqueued} sample job(s) queued, ${recorded} already recorded${work ? '' : ' — start workers: mmevolve worker --queue <same URL> (same config)'}\n`),
  });
}
