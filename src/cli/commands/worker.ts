/**
 * `mmevolve worker --queue postgres://… [--concurrency N] [--job-timeout S] [--config FILE | model flags]`:
 * process the sample jobs of distributed evaluations (`mmevolve eval --queue`) with this machine's
 * backends, recording each sample's line in Postgres. Runs until SIGINT/SIGTERM: then the samples in
 * flight are cancelled and their jobs go back to the queue for other workers. Its backends must be the
 * run's (same model ids), and the run's dataset folder must exist here at the same path.
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { DEFAULT_HEARTBEAT_SECONDS, PgRunDatabase, openEvalQueue, startEvalWorker } from '../../eval/index.js';
import { segmentFunctionForRun } from './eval-method.js';
import { positiveInteger } from './eval.js';
import { jobTimeoutSeconds, postgresUrl, secondsFlag } from './eval-queued.js';
import { addOutageOptions, outageRunOptions } from './outage-options.js';
import type { OutageFlags } from './outage-options.js';
import { addWorkspaceOptions, openCommandWorkspace } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

export interface WorkerCommandOptions extends WorkspaceCommandOptions, Partial<OutageFlags> {
  queue: string;
  concurrency: number;
  jobTimeout?: number;
  heartbeat?: number;
}

export interface WorkerCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Stops the worker (SIGINT/SIGTERM in the CLI). */
  signal: AbortSignal;
}

/** Process jobs until the signal aborts; returns how many samples this worker recorded. */
export async function runWorkerCommand(options: WorkerCommandOptions, io: WorkerCommandIo): Promise<number> {
  const workspace = await openCommandWorkspace(options);
  const name = `${process.env.HOSTNAME ?? hostname()}:${process.pid}`;
  let database: PgRunDatabase | undefined;
  let queue: Awaited<ReturnType<typeof openEvalQueue>> | undefined;
  try {
    database = await PgRunDatabase.connect(options.queue, { worker: name, max: Math.max(4, options.concurrency + 2) });
    queue = await openEvalQueue(options.queue, { ...(options.jobTimeout === undefined ? {} : { jobTimeoutSeconds: options.jobTimeout }), onError: (error) => io.stderr(`warning [queue]: ${error.message}\n`) });
    const outage = outageRunOptions(options, io.stderr);
    const worker = await startEvalWorker({
      database,
      queue,
      concurrency: options.concurrency,
      prepare: (manifest) => segmentFunctionForRun(workspace, manifest),
      ...(outage.outage === undefined ? {} : { outage: outage.outage }),
      ...(outage.onOutagePause === undefined ? {} : { onOutagePause: outage.onOutagePause }),
      onStart: (event) => io.stdout(`${event.runId} ${event.sampleId} started\n`),
      onSample: (event) => io.stdout(`${event.runId} ${event.sampleId} ${event.status}\n`),
      ...(options.heartbeat === undefined ? {} : { heartbeatSeconds: options.heartbeat }),
      onHeartbeatError: (error) => io.stderr(`warning [heartbeat]: ${error.message}\n`),
      onJobError: (job, error) => io.stderr(`job ${job.runId}/${job.sampleId} failed (it is retried): ${error instanceof Error ? error.message : String(error)}\n`),
    });
    io.stderr(`mmevolve worker ${name} ready: ${options.concurrency} sample(s) at a time; Ctrl-C or SIGTERM stops it (its samples in flight go back to the queue)\n`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await worker.stop();
    io.stderr(`mmevolve worker ${name} stopped: ${worker.recorded} sample(s) recorded\n`);
    return worker.recorded;
  } finally {
    await queue?.close();
    await database?.close();
    await workspace.close();
  }
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description('Process the sample jobs of distributed evaluations (mmevolve eval --queue) with this machine\'s backends; runs until Ctrl-C / SIGTERM')
    .requiredOption('--queue <postgres-url>', 'the Postgres of the runs and the job queue (the URL given to mmevolve eval --queue)', (value: string) => postgresUrl('--queue', value))
    .option('--concurrency <n>', 'samples in flight at once in this worker', positiveInteger('--concurrency'), 1)
    .option('--job-timeout <seconds>', 'how often expired jobs (of killed workers) are looked for: a quarter of this', jobTimeoutSeconds)
    .option('--heartbeat <seconds>', `how often this worker records that it is alive and the jobs it holds (default ${DEFAULT_HEARTBEAT_SECONDS}); eval --queue shows it lost after --lost-after seconds of silence`, secondsFlag('--heartbeat', 5, 3600));
  addWorkspaceOptions(addOutageOptions(command)).action(async (options: WorkerCommandOptions) => {
    const controller = new AbortController();
    const stop = (): void => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping: samples in flight are cancelled and go back to the queue (again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      await runWorkerCommand(options, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), signal: controller.signal });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
}
