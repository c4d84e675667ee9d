/**
 * `mmevolve eval --queue postgres://…`: the coordinator of a distributed segmentation evaluation. It opens
 * (or resumes) the run in Postgres, enqueues one job per sample still to do, works on jobs itself unless
 * told not to, follows progress across all workers (LISTEN/NOTIFY plus a poll; live and lost workers from
 * their heartbeats, run-progress.ts), and when every sample is
 * recorded mirrors the run into the --out folder (run.json, results.jsonl in dataset order, traces/) and
 * builds the report from the database's lines. Ctrl-C stops following; queued jobs stay for the workers
 * and rerunning the same command follows the run again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mmevolveError } from '../core/index.js';
import type { EvalSample } from './datasets/dataset.js';
import { openDataset } from './datasets/open-dataset.js';
import type { EvalRunResult } from './eval-run-options.js';
import { openEvalQueue } from './eval-queue.js';
import type { EvalQueue } from './eval-queue.js';
import { startEvalWorker } from './eval-worker.js';
import type { EvalWorker } from './eval-worker.js';
import { isTransportFailureLine } from './outage.js';
import { PgRunDatabase } from './pg-run-store.js';
import { describeWorkers, readRunProgress } from './run-progress.js';
import { RESULTS_FILE, RUN_FILE, identityFingerprint, readManifest } from './run-store.js';
import type { RunManifest } from './run-store.js';
import { buildSegmentationReport, writeReportFiles } from './report.js';
import type { RunReport } from './report.js';
import type { SegmentationLine, SegmentationRunOptions } from './segmentation-run.js';
import { segmentationLineSchema } from './segmentation-run.js';
import { runningSegmentationMetric } from './segmentation-summary.js';
import { saveRunMasks } from './save-masks.js';

export interface DistributedRunOptions extends SegmentationRunOptions {
  /** postgres://… of the runs tables and the job queue. */
  queue: string;
  /** The run's id in the database (default eval-<fingerprint>: the same command resumes the same run). */
  runId?: string;
  /** Also work on jobs in this process (`concurrency` at a time); false = enqueue and follow only. */
  work: boolean;
  jobTimeoutSeconds?: number;
  /** Progress calls a worker silent this long lost (default 30 s). */
  workerLostAfterSeconds?: number;
  /** Heartbeat interval of this process's own worker (when it works; default 5 s). */
  heartbeatSeconds?: number;
  /** Told once when jobs wait for workers (how many were enqueued). */
  onEnqueued?: (runId: string, enqueued: number, alreadyRecorded: number) => void;
}

export interface DistributedRunResult extends EvalRunResult<SegmentationLine> {
  runId: string;
  report: RunReport;
}

const POLL_MS = 1000;

export function defaultRunId(fingerprint: string): string {
  return `eval-${fingerprint}`;
}

export async function runDistributedSegmentationEval(options: DistributedRunOptions): Promise<DistributedRunResult> {
  const dataset = path.resolve(options.dataset);
  const folder = await openDataset({ ...options.datasetSpec, path: dataset });
  const identity = { command: 'eval', method: options.method, dataset, settings: options.settings };
  const runId = options.runId ?? defaultRunId(identityFingerprint(identity));
  await refuseOtherRunInFolder(options.out, identityFingerprint(identity));
  const database = await PgRunDatabase.connect(options.queue);
  let queue: EvalQueue | undefined;
  let worker: EvalWorker | undefined;
  try {
    const store = await database.openRun<SegmentationLine>({ runId, identity, backends: options.backends, simulated: folder.simulated || options.simulatedBackends, schema: segmentationLineSchema });
    const selected = options.limit === undefined ? folder.samples : folder.samples.slice(0, Math.max(0, options.limit));
    await database.setPlan(runId, selected.map((sample) => sample.name));
    const rerun = (line: SegmentationLine): boolean => line.status === 'failed' && (options.retryFailed === true || isTransportFailureLine(line));
    const todo = selected.filter((sample) => {
      const line = store.finished.get(sample.name);
      return line === undefined || rerun(line);
    });
    const skipped = selected.length - todo.length;
    // A failed line to be rerun is dropped first: a sample counts as done once it has a line again.
    await database.forgetFailed(runId, todo.filter((sample) => store.finished.has(sample.name)).map((sample) => sample.name));
    queue = await openEvalQueue(options.queue, options.jobTimeoutSeconds === undefined ? {} : { jobTimeoutSeconds: options.jobTimeoutSeconds });
    await queue.enqueue(runId, todo.map((sample) => sample.name));
    options.onEnqueued?.(runId, todo.length, skipped);
    if (options.work) {
      worker = await startEvalWorker({
        database,
        queue,
        concurrency: options.concurrency ?? 1,
        // This process built the method for this run; other runs' jobs are left to other workers.
        prepare: (manifest) => {
          if (manifest.fingerprint !== store.manifest.fingerprint) throw mmevolveError('conflict', 'a job of another run', 'Left for a worker started with mmevolve worker.');
          return options.segment;
        },
        ...(options.outage === undefined ? {} : { outage: options.outage }),
        ...(options.onOutagePause === undefined ? {} : { onOutagePause: options.onOutagePause }),
        ...(options.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: options.heartbeatSeconds }),
      });
    }
    const followed = await follow(database, queue, runId, selected, skipped, options);
    await worker?.stop();
    worker = undefined;
    const lines = await database.readLines(runId, segmentationLineSchema);
    const planned = new Set(selected.map((sample) => sample.name));
    const ordered = lines.filter((line) => planned.has(line.id));
    // Interrupted too: the folder then holds the samples recorded so far, like an interrupted local run.
    const report = await mirrorRun(database, runId, store.manifest, ordered, options.out);
    if (options.saveMasks !== undefined) await saveRunMasks(options.out, ordered, options.saveMasks);
    const ranLines = ordered.filter((line) => !followed.recordedAtStart.has(line.id));
    return {
      runId,
      report,
      lines: ordered,
      ran: ranLines.length,
      skipped,
      failed: ranLines.filter((line) => line.status === 'failed').length,
      interrupted: followed.interrupted,
      remaining: selected.length - ordered.length,
      manifest: store.manifest,
      warnings: [...folder.warnings, ...followed.warnings],
      resumed: store.resumed,
    };
  } finally {
    await worker?.stop();
    await queue?.close();
    await database.close();
  }
}

/** Wait until every planned sample has a line (all workers together), showing progress; or until aborted. */
async function follow(database: PgRunDatabase, queue: EvalQueue, runId: string, selected: readonly EvalSample[], skipped: number, options: DistributedRunOptions) {
  const planned = new Set(selected.map((sample) => sample.name));
  const recordedAtStart = new Set((await database.readLines(runId, segmentationLineSchema)).filter((line) => planned.has(line.id)).map((line) => line.id));
  const warnings: { code: string; message: string }[] = [];
  let wake: () => void = () => undefined;
  const unlisten = await database.listen((event) => {
    if (event.runId === runId) wake();
  });
  const aborted = new Promise<void>((resolve) => {
    if (options.signal?.aborted === true) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  options.progress?.start(selected.length, skipped, '');
  try {
    for (;;) {
      const lines = (await database.readLines(runId, segmentationLineSchema)).filter((line) => planned.has(line.id));
      const done = lines.length;
      const { workers } = await readRunProgress(database.pool, runId, options.workerLostAfterSeconds === undefined ? {} : { lostAfterSeconds: options.workerLostAfterSeconds });
      options.progress?.update(done, [runningSegmentationMetric(lines), describeWorkers(workers)].filter((part) => part !== '').join(' · '));
      if (done >= selected.length) return { interrupted: false, recordedAtStart, warnings };
      if (options.signal?.aborted === true) return { interrupted: true, recordedAtStart, warnings };
      const dead = await queue.deadJobs(runId);
      const missing = dead.filter((job) => planned.has(job.sampleId) && !lines.some((line) => line.id === job.sampleId));
      if (missing.length > 0) {
        const first = missing[0] as { sampleId: string; message: string };
        throw mmevolveError('internal', `${missing.length} sample job(s) of run ${runId} failed on every attempt (first: ${first.sampleId}: ${first.message})`, 'Fix the cause on the workers (dataset path, backends, database), then rerun the same command: it enqueues the missing samples again.');
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), new Promise((resolve) => setTimeout(resolve, POLL_MS)), aborted]);
    }
  } finally {
    options.progress?.stop();
    await unlisten();
  }
}

/** Refuse an --out folder that already holds another run (as the folder store does). */
async function refuseOtherRunInFolder(out: string, fingerprint: string): Promise<void> {
  const existing = await readManifest(out);
  if (existing !== undefined && existing.fingerprint !== fingerprint) {
    throw mmevolveError('conflict', `${out} holds a different run (fingerprint ${existing.fingerprint}, this run ${fingerprint})`, 'Use a new --out folder for this run.');
  }
}

/** The run folder a single-process run would have written, from the database; the report from its lines. */
async function mirrorRun(database: PgRunDatabase, runId: string, manifest: RunManifest, lines: readonly SegmentationLine[], out: string): Promise<RunReport> {
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, RUN_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const line of lines) {
    const trace = await database.readTrace(runId, line.id);
    if (trace === undefined) continue;
    const file = path.join(out, trace.path);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, trace.text.endsWith('\n') ? trace.text : `${trace.text}\n`);
  }
  await writeFile(path.join(out, RESULTS_FILE), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  const { report, files } = buildSegmentationReport(manifest, lines);
  await writeReportFiles(out, files);
  return report;
}
