/**
 * A worker of distributed evaluation: takes sample jobs from the queue, runs the sample exactly as the
 * single-process runner does (segmentation-sample.ts, the same outage policy), and records its line in
 * Postgres. Per run it opens the dataset named by the run's manifest once (the path must exist on the
 * worker: a shared or identical folder) and builds the method from the manifest through `prepare` (the
 * CLI builds it from the worker's own config and checks the backends match the run's).
 *
 * A sample already recorded (its job was retried after a worker died past the write) is skipped; a
 * failure of the sample itself (model error, budget) is recorded as a failed line like in a local run; a
 * failure around it (database, dataset missing, wrong backends) fails the job, which the queue retries.
 */
import { setMaxListeners } from 'node:events';
import { mmevolveError } from '../core/index.js';
import type { EvalSample } from './datasets/dataset.js';
import type { DatasetSpec } from './datasets/open-dataset.js';
import { openDataset } from './datasets/open-dataset.js';
import type { EvalQueue, SampleJob } from './eval-queue.js';
import { DEFAULT_OUTAGE_POLICY, throughOutages } from './outage.js';
import type { OutagePolicy } from './outage.js';
import type { PgRunDatabase, PgRunStore } from './pg-run-store.js';
import type { RunManifest } from './run-store.js';
import { describeError } from './runner.js';
import { startWorkerHeartbeat } from './worker-heartbeats.js';
import type { HeldJob } from './worker-heartbeats.js';
import type { SegmentationLine, SegmentSample } from './segmentation-run.js';
import { segmentationSampleRunner } from './segmentation-sample.js';
import type { SegmentationSampleRunner } from './segmentation-sample.js';

export interface EvalWorkerOptions {
  database: PgRunDatabase;
  queue: EvalQueue;
  /** Samples in flight at once in this worker. */
  concurrency: number;
  /** How to segment for a run, from its manifest (method, settings, backends); called once per run. */
  prepare: (manifest: RunManifest) => Promise<SegmentSample> | SegmentSample;
  outage?: OutagePolicy;
  onOutagePause?: (sampleId: string, error: unknown, delayMs: number) => void;
  /** Hears of each sample this worker recorded (or found recorded). */
  onSample?: (event: { runId: string; sampleId: string; status: 'ok' | 'failed' | 'already-recorded' }) => void;
  /** A sample this worker begins (its job is now held by this worker until the sample is recorded). */
  onStart?: (event: { runId: string; sampleId: string }) => void;
  /** Hears of each job that failed outside its sample (it is retried). */
  onJobError?: (job: SampleJob, error: unknown) => void;
  /** Seconds between heartbeats (worker-heartbeats.ts; default 5). */
  heartbeatSeconds?: number;
  /** A heartbeat that could not be written (the worker keeps working; readers may show it lost meanwhile). */
  onHeartbeatError?: (error: Error) => void;
}

export interface EvalWorker {
  /** Samples this worker recorded. */
  readonly recorded: number;
  /** Stop taking jobs, cancel the samples in flight (their jobs are retried elsewhere) and wait for them. */
  stop(): Promise<void>;
}

interface PreparedRun {
  store: PgRunStore<SegmentationLine>;
  samples: Map<string, EvalSample>;
  runner: SegmentationSampleRunner;
}

/** The dataset spec a segmentation run recorded in its settings (eval --format …), if any. */
export function datasetSpecOf(manifest: RunManifest): Omit<DatasetSpec, 'path'> {
  const spec = manifest.settings.dataset;
  if (spec === undefined || spec === null || typeof spec !== 'object') return {};
  const { path: _ignored, ...rest } = spec as DatasetSpec;
  return rest;
}

export async function startEvalWorker(options: EvalWorkerOptions): Promise<EvalWorker> {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const runs = new Map<string, Promise<PreparedRun>>();
  const inFlight = new Set<Promise<void>>();
  let recorded = 0;
  const held = new Map<string, HeldJob>();
  const heartbeat = await startWorkerHeartbeat(options.database.pool, { id: options.database.worker, concurrency: options.concurrency }, () => [...held.values()], {
    ...(options.heartbeatSeconds === undefined ? {} : { intervalSeconds: options.heartbeatSeconds }),
    ...(options.onHeartbeatError === undefined ? {} : { onError: options.onHeartbeatError }),
  });

  const prepareRun = async (runId: string): Promise<PreparedRun> => {
    const store = await options.database.attachRun<SegmentationLine>(runId);
    const { manifest } = store;
    if (manifest.command !== 'eval') throw mmevolveError('invalid-input', `${store.location} is a ${manifest.command} run; workers run segmentation evaluations (eval)`, 'Start distributed runs with mmevolve eval --queue.');
    const folder = await openDataset({ ...datasetSpecOf(manifest), path: manifest.dataset });
    const segment = await options.prepare(manifest);
    return {
      store,
      samples: new Map(folder.samples.map((sample) => [sample.name, sample])),
      runner: segmentationSampleRunner({ method: manifest.method, scoring: folder.scoring, segment, store }),
    };
  };

  const runFor = (runId: string): Promise<PreparedRun> => {
    let prepared = runs.get(runId);
    if (prepared === undefined) {
      prepared = prepareRun(runId);
      // A failed preparation (dataset not mounted yet, database hiccup) is tried again by the next job.
      prepared.catch(() => runs.delete(runId));
      runs.set(runId, prepared);
    }
    return prepared;
  };

  const handle = async (job: SampleJob): Promise<void> => {
    const signal = controller.signal;
    if (signal.aborted) throw mmevolveError('cancelled', 'the worker is stopping', 'The job is retried by another worker.');
    if (await options.database.isRecorded(job.runId, job.sampleId)) {
      options.onSample?.({ runId: job.runId, sampleId: job.sampleId, status: 'already-recorded' });
      return;
    }
    const run = await runFor(job.runId);
    const sample = run.samples.get(job.sampleId);
    if (sample === undefined) throw mmevolveError('not-found', `sample ${job.sampleId} is not in ${run.store.manifest.dataset} on this worker`, 'Workers must see the same dataset folder, at the same path, as the machine that ran mmevolve eval --queue.');
    let line: SegmentationLine;
    options.onStart?.({ runId: job.runId, sampleId: job.sampleId });
    try {
      line = await throughOutages(() => run.runner.run(sample, signal), options.outage ?? DEFAULT_OUTAGE_POLICY, signal, (error, delayMs) => options.onOutagePause?.(sample.name, error, delayMs));
    } catch (error) {
      // Cancelled because the worker stops: not the sample's failure; the job goes back to the queue.
      if (signal.aborted) throw error;
      line = await run.runner.failed(sample, describeError(error));
    }
    await run.store.append(line);
    recorded += 1;
    options.onSample?.({ runId: job.runId, sampleId: job.sampleId, status: line.status });
  };

  const work = options.queue.work(options.concurrency, async (job) => {
    const key = JSON.stringify([job.runId, job.sampleId]);
    held.set(key, job);
    const task = handle(job).finally(() => held.delete(key)).catch((error: unknown) => {
      if (!controller.signal.aborted) options.onJobError?.(job, error);
      throw error;
    });
    inFlight.add(task);
    try {
      await task;
    } finally {
      inFlight.delete(task);
    }
  });
  let stopWork: () => Promise<void>;
  try {
    stopWork = await work;
  } catch (error) {
    // No work loop, so not at work: its heartbeat says stopped, not live. The work loop's error is the one reported.
    await heartbeat.stop().catch(() => undefined);
    throw error;
  }

  return {
    get recorded() {
      return recorded;
    },
    async stop() {
      // Cancel first: pg-boss waits for running handlers when a work loop is taken off.
      controller.abort(mmevolveError('cancelled', 'the worker is stopping', 'Its jobs are retried by other workers.'));
      await Promise.allSettled([...inFlight]);
      try {
        await stopWork();
      } finally {
        await heartbeat.stop();
      }
    },
  };
}
