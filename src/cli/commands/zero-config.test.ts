/**
 * A new user with only server URLs and a model name (no config file): `segment`, `eval` and `solve` run
 * against the SIMULATED servers on loopback, and `mmevolve init` writes a commented config the schema takes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_TARGETS, loadAppConfig } from '../../app/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import { openMemoryStore } from '../../memory/index.js';
import { SIM_EMBEDDING_MODEL, buildReasonSegSample, buildVqaSample, exportReasonSeg, startSimStack } from '../../sim/index.js';
import type { SimStack } from '../../sim/index.js';
import { writeImage } from '../../vision/index.js';
import { runEvalCommand } from './eval.js';
import { runInitCommand } from './init.js';
import { runSegmentCommand } from './segment.js';
import { runSolveCommand } from './solve.js';

let root = '';
let sims: SimStack;
const silent: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-zero-config-'));
  sims = await startSimStack({ preset: 'oracle' });
});

afterAll(async () => {
  await sims.close();
  await rm(root, { recursive: true, force: true });
});

describe('zero-config start', () => {
  it('runs segment, eval and solve with --base-url, --model, --segmenter-url and --embedder-url only (no config file)', async () => {
    const flags = { baseUrl: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, cache: false };
    const io = { stdout: () => undefined, stderr: () => undefined };

    const sample = buildReasonSegSample(7, 0);
    const image = path.join(root, 'scene.png');
    await writeImage(image, sample.rendered.image);
    const out = path.join(root, 'segment');
    const segmented = await runSegmentCommand({ ...flags, segmenterUrl: sims.segmenter.url, image, query: sample.query.query, method: 'evol', out }, { ...io, interactive: false });
    expect(segmented.mask.data.some((value) => value > 0), 'segment found a mask (SIMULATED oracle servers)').toBe(true);
    const trace = JSON.parse(await readFile(path.join(out, 'trace.json'), 'utf8')) as { preset: string };
    expect(trace.preset, 'no file, no flag: the one default preset').toBe('improved');

    const dataset = path.join(root, 'dataset');
    await exportReasonSeg({ n: 2, seed: 5, out: dataset });
    const evaluated = await runEvalCommand({ ...flags, segmenterUrl: sims.segmenter.url, dataset, method: 'single', out: path.join(root, 'run'), concurrency: 1 }, { ...io, progress: silent });
    expect(evaluated.exitCode).toBe(0);
    expect(evaluated.report.summary).toMatchObject({ kind: 'segmentation', n: 2 });

    const { rendered, problem } = buildVqaSample(7, 0);
    const figure = path.join(root, 'figure.png');
    await writeImage(figure, rendered.image);
    const db = path.join(root, 'memory.sqlite');
    const solved = await runSolveCommand(
      { ...flags, embedderUrl: `${sims.embeddings.url}/v1`, image: figure, question: problem.question, options: JSON.stringify(problem.options), answer: problem.answer, tenant: 't', db, mode: 'memory', learn: true },
      io,
    );
    expect(solved.answer, 'solve answered').not.toBe('');
    expect(existsSync(db), 'the memory workspace was created').toBe(true);
    const store = openMemoryStore({ path: db });
    expect(store.embeddingModel, '--embedder-url alone: the model is the first one the server lists').toBe(SIM_EMBEDDING_MODEL);
    await store.close();
  }, 120_000);

  it('names the missing flag when a command lacks a backend', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined, interactive: false };
    await expect(runSegmentCommand({ baseUrl: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, cache: false, image: 'x.png', query: 'q', method: 'evol', out: path.join(root, 'x') }, io)).rejects.toMatchObject({
      code: 'backend-not-configured',
      hint: expect.stringContaining('--segmenter-url'),
    });
    await expect(runSegmentCommand({ baseUrl: `${sims.mllm.url}/v1`, cache: false, image: 'x.png', query: 'q', method: 'evol', out: path.join(root, 'x') }, io)).rejects.toMatchObject({ hint: expect.stringContaining('--model') });
  });

  it('writes a commented config for vLLM, Ollama and a hosted API that the app schema accepts, and never overwrites one', async () => {
    for (const target of INIT_TARGETS) {
      const file = path.join(root, `init-${target}`, 'mmevolve.config.yaml');
      await runInitCommand({ for: target, out: file }, () => undefined);
      const text = await readFile(file, 'utf8');
      expect(text.split('\n').filter((line) => line.trimStart().startsWith('#')).length, `${target}: commented`).toBeGreaterThan(10);
      const config = await loadAppConfig(file);
      expect(config.backends.mllm?.baseURL, target).toMatch(/^https?:\/\//);
      expect(config.evolve.preset).toBe('improved');
      await expect(runInitCommand({ for: target, out: file }, () => undefined)).rejects.toMatchObject({ code: 'conflict' });
    }
  });
});
