/** End to end: `mmevolve eval` against the SIMULATED servers on loopback with a small SynthWorld dataset. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResultLines, segmentationLineSchema } from '../../eval/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import { exportReasonSeg, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { runEvalCommand } from './eval.js';
import type { EvalCommandOptions } from './eval.js';

let root: string;
let dataset: string;
let configFile: string;
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-eval-cli-'));
  dataset = path.join(root, 'dataset');
  await exportReasonSeg({ n: 6, seed: 3, out: dataset });
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  configFile = path.join(root, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: segmenter.url },
    },
    cache: { enabled: false },
  };
  await writeFile(configFile, JSON.stringify(config));
});

afterAll(async () => {
  await Promise.all([mllm.close(), segmenter.close()]);
  await rm(root, { recursive: true, force: true });
});

function options(out: string, method = 'single'): EvalCommandOptions {
  return { dataset, method, out, preset: 'improved', config: configFile, concurrency: 2, cache: false };
}

/** Aborts the run once `after` samples have been written. */
function abortingProgress(controller: AbortController, after: number): ProgressReporter {
  return { start: () => undefined, update: (done) => (done >= after ? controller.abort() : undefined), stop: () => undefined };
}

const silent: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };

describe('mmevolve eval (SIMULATED servers)', () => {
  it('runs a method over a SynthWorld folder, writes a SIMULATED report, and resumes after an abort to the same results', async () => {
    const straight = path.join(root, 'straight');
    const output: string[] = [];
    const whole = await runEvalCommand(options(straight), { stdout: (text) => output.push(text), stderr: () => undefined, progress: silent });
    expect(whole.exitCode).toBe(0);
    expect(whole.report.simulated).toBe(true);
    expect(output.join('')).toContain('SIMULATED');
    const straightLines = (await readResultLines(straight, segmentationLineSchema)).lines;
    expect(straightLines).toHaveLength(6);
    expect(straightLines.every((line) => line.status === 'ok'), JSON.stringify(straightLines.map((line) => line.error))).toBe(true);
    expect(straightLines.every((line) => line.calls.calls > 0 && line.counters.segmenterCalls !== undefined)).toBe(true);

    const interrupted = path.join(root, 'interrupted');
    const controller = new AbortController();
    const errors: string[] = [];
    const first = await runEvalCommand(options(interrupted), { stdout: () => undefined, stderr: (text) => errors.push(text), signal: controller.signal, progress: abortingProgress(controller, 2), commandLine: 'mmevolve eval …' });
    expect(first.exitCode, 'an interrupted eval exits with 130').toBe(130);
    expect(errors.join('')).toContain('rerun the same command to resume');
    const partial = (await readResultLines(interrupted, segmentationLineSchema)).lines;
    expect(partial.length).toBeGreaterThanOrEqual(2);
    expect(partial.length).toBeLessThan(6);

    const second = await runEvalCommand(options(interrupted), { stdout: () => undefined, stderr: () => undefined, progress: silent });
    expect(second.exitCode).toBe(0);
    const resumed = (await readResultLines(interrupted, segmentationLineSchema)).lines;
    expect(new Set(resumed.map((line) => line.id)).size, 'no duplicates after resume').toBe(resumed.length);
    const scores = (lines: typeof resumed) => lines.map(({ id, intersection, union }) => ({ id, intersection, union })).sort((a, b) => a.id.localeCompare(b.id));
    expect(scores(resumed)).toEqual(scores(straightLines));
    expect(second.report.summary).toMatchObject({ kind: 'segmentation', n: 6 });
    const markdown = await readFile(path.join(interrupted, 'report.md'), 'utf8');
    expect(markdown).toContain('# SIMULATED');
  }, 120_000);

  it('refuses to resume a run folder with a different method', async () => {
    const out = path.join(root, 'conflict');
    await runEvalCommand({ ...options(out), limit: 1 }, { stdout: () => undefined, stderr: () => undefined, progress: silent });
    await expect(runEvalCommand({ ...options(out, 'box'), limit: 1 }, { stdout: () => undefined, stderr: () => undefined, progress: silent })).rejects.toMatchObject({ code: 'conflict' });
  }, 60_000);
});
