/**
 * Honest cost figures: a rerun served from the response cache reports its cache hits, the tokens they stand
 * for and their wall time apart from fresh calls, and `--no-cache` makes every call fresh again.
 * SIMULATED servers on loopback; the cache is a file in a temporary folder.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressReporter } from '../../eval/index.js';
import type { SegmentationSummary } from '../../eval/segmentation-summary.js';
import { exportReasonSeg, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { runEvalCommand } from './eval.js';

let root: string;
let dataset: string;
let configFile: string;
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;
const silent: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-eval-cache-'));
  dataset = path.join(root, 'dataset');
  await exportReasonSeg({ n: 4, seed: 5, out: dataset });
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  configFile = path.join(root, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: segmenter.url },
    },
    cache: { enabled: true, path: path.join(root, 'cache.sqlite') },
  };
  await writeFile(configFile, JSON.stringify(config));
});

afterAll(async () => {
  await Promise.all([mllm.close(), segmenter.close()]);
  await rm(root, { recursive: true, force: true });
});

async function evalInto(name: string, cache: boolean): Promise<{ costs: SegmentationSummary['costs']; stdout: string; markdown: string }> {
  const out = path.join(root, name);
  const stdout: string[] = [];
  const result = await runEvalCommand({ dataset, method: 'single', out, preset: 'improved', config: configFile, concurrency: 1, cache }, { stdout: (text) => stdout.push(text), stderr: () => undefined, progress: silent });
  expect(result.exitCode, `eval into ${name} finished`).toBe(0);
  const summary = result.report.summary;
  if (summary.kind !== 'segmentation') throw new Error(`expected a segmentation summary, got ${summary.kind}`);
  return { costs: summary.costs, stdout: stdout.join(''), markdown: await readFile(path.join(out, 'report.md'), 'utf8') };
}

describe('cost figures with the response cache', () => {
  it('reports a cached rerun’s calls, tokens and wall time apart from fresh ones, and --no-cache makes them fresh', async () => {
    const first = await evalInto('first', true);
    expect(first.costs.cached.callsPerSample, 'a cold cache answers nothing').toBe(0);
    expect(first.costs.fresh.promptTokensPerSample, 'the first run spends tokens').toBeGreaterThan(0);
    expect(first.costs.wall.freshSamples, 'every sample fresh').toBe(4);
    expect(first.stdout).toContain('(all fresh)');

    const rerun = await evalInto('rerun', true);
    const mllmCalls = first.costs.byBackend['mllm']?.callsPerSample ?? 0;
    expect(mllmCalls, 'the method calls the MLLM').toBeGreaterThan(0);
    expect(rerun.costs.cached.callsPerSample, 'the rerun’s MLLM calls come from the cache').toBeCloseTo(mllmCalls, 6);
    expect(rerun.costs.fresh.promptTokensPerSample, 'tokens spent: none (the segmenter spends no tokens)').toBe(0);
    expect(rerun.costs.promptTokensPerSample, 'the headline token figure is what was spent, not what the cache replayed').toBe(0);
    expect(rerun.costs.cached.tokensPerSample, 'the cached answers’ tokens are reported apart, equal to what they first cost').toBeCloseTo(first.costs.fresh.promptTokensPerSample + first.costs.fresh.completionTokensPerSample, 6);
    expect(rerun.costs.callsPerSample, 'calls count both').toBeCloseTo(rerun.costs.fresh.callsPerSample + rerun.costs.cached.callsPerSample, 6);
    expect(rerun.costs.wall, 'wall time of cached samples is kept apart').toMatchObject({ freshSamples: 0, freshMsPerSample: null, cachedSamples: 4 });
    expect(rerun.stdout, 'the end-of-run line labels cache hits').toMatch(/fresh \+ [\d.]+ cache hits, tokens spent\/sample 0 \(cache hits: \d+ more, not spent now\)/u);
    expect(rerun.markdown, 'report.md has the fresh / cached table').toContain('| calls | 0.00 |'.replace('0.00', rerun.costs.fresh.callsPerSample.toFixed(2)));
    expect(rerun.markdown).toContain('cache hits (not spent now)');

    const noCache = await evalInto('no-cache', false);
    expect(noCache.costs.cached.callsPerSample, '--no-cache: no call is answered from the cache').toBe(0);
    expect(noCache.costs.fresh.promptTokensPerSample, '--no-cache spends the tokens again').toBeCloseTo(first.costs.fresh.promptTokensPerSample, 6);
  }, 60_000);
});
