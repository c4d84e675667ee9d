/**
 * Fault suite, outages (issue 15): the SIMULATED MLLM server is stopped mid-eval and started again on the
 * same port; no sample may be lost or recorded as failed because of it, and an outage longer than the
 * window fails samples with their cause, exits non-zero, and is made whole by a resume.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_SAMPLES_EXIT_CODE, readResultLines, segmentationLineSchema } from '../../eval/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import { exportReasonSeg, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { runEvalCommand } from './eval.js';
import type { EvalCommandOptions } from './eval.js';

let root: string;
let dataset: string;
let configFile: string;
let mllm: SimMllmServer | undefined;
let mllmPort: number;
let segmenter: SimSegmenterServer;

const startMllm = async (port: number): Promise<SimMllmServer> => startSimMllmServer({ port, host: '127.0.0.1', preset: 'oracle' });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-eval-outage-'));
  dataset = path.join(root, 'dataset');
  await exportReasonSeg({ n: 6, seed: 5, out: dataset });
  mllm = await startMllm(0);
  mllmPort = Number(new URL(mllm.url).port);
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  configFile = path.join(root, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false }, maxRetries: 1 },
      segmenter: { baseURL: segmenter.url },
    },
    cache: { enabled: false },
  };
  await writeFile(configFile, JSON.stringify(config));
});

afterAll(async () => {
  await Promise.all([mllm?.close(), segmenter.close()]);
  await rm(root, { recursive: true, force: true });
});

function options(out: string, outageWindow: number): EvalCommandOptions {
  return { dataset, method: 'single', out, preset: 'improved', config: configFile, concurrency: 2, cache: false, outageWindow };
}

/** Stops the MLLM server once `after` samples are written, and starts it again `downMs` later on the same port. */
function killingProgress(after: number, downMs: number, restarted: Promise<void>[]): ProgressReporter {
  let killed = false;
  return {
    start: () => undefined,
    update: (done) => {
      if (killed || done < after) return;
      killed = true;
      const server = mllm;
      mllm = undefined;
      restarted.push(
        (async () => {
          await server?.close();
          await new Promise((resolve) => setTimeout(resolve, downMs));
          mllm = await startMllm(mllmPort);
        })(),
      );
    },
    stop: () => undefined,
  };
}

describe('eval through a backend outage (SIMULATED servers)', () => {
  it('loses no sample when the MLLM server is down for 5 s mid-eval', async () => {
    const out = path.join(root, 'five-seconds');
    const restarted: Promise<void>[] = [];
    const errors: string[] = [];
    const result = await runEvalCommand(options(out, 60), { stdout: () => undefined, stderr: (text) => errors.push(text), progress: killingProgress(1, 5000, restarted) });
    await Promise.all(restarted);
    expect(restarted, 'the server was killed mid-run').toHaveLength(1);
    const lines = (await readResultLines(out, segmentationLineSchema)).lines;
    expect(lines.map((line) => [line.id, line.status, line.error?.code ?? '']).filter(([, status]) => status !== 'ok'), 'no failed sample').toEqual([]);
    expect(lines).toHaveLength(6);
    expect(result.exitCode).toBe(0);
    expect(errors.join(''), 'the pause was reported').toContain('backend outage');
  }, 60_000);

  it('fails samples the outage outlasts (exit 3, with the cause) and a resume reruns them to a whole run', async () => {
    const out = path.join(root, 'too-long');
    const restarted: Promise<void>[] = [];
    const errors: string[] = [];
    const first = await runEvalCommand(options(out, 0.5), { stdout: () => undefined, stderr: (text) => errors.push(text), progress: killingProgress(1, 4000, restarted), commandLine: 'mmevolve eval …' });
    expect(first.exitCode, 'an eval with failed samples exits non-zero').toBe(FAILED_SAMPLES_EXIT_CODE);
    expect(errors.join('')).toContain('--retry-failed');
    const failed = (await readResultLines(out, segmentationLineSchema)).lines.filter((line) => line.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.error).toMatchObject({ code: 'backend-unavailable', transport: true });
    await Promise.all(restarted);
    const second = await runEvalCommand(options(out, 60), { stdout: () => undefined, stderr: () => undefined, progress: { start: () => undefined, update: () => undefined, stop: () => undefined } });
    expect(second.exitCode, 'the resume reran the outage failures').toBe(0);
    expect(second.report.summary).toMatchObject({ n: 6, failed: 0 });
  }, 60_000);
});
