/** End to end: `mmevolve eval-vqa` against the SIMULATED MLLM and embeddings servers on loopback. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResultLines, vqaLineSchema } from '../../eval/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import { SIM_EMBEDDING_MODEL, exportVqa, startSimEmbeddingsServer, startSimMllmServer } from '../../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer } from '../../sim/index.js';
import { runEvalVqaCommand } from './eval-vqa.js';
import type { EvalVqaCommandOptions } from './eval-vqa.js';

let root: string;
let dataset: string;
let configFile: string;
let mllm: SimMllmServer;
let embeddings: SimEmbeddingsServer;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-eval-vqa-'));
  await exportVqa({ n: 10, seed: 4, out: path.join(root, 'vqa') });
  dataset = path.join(root, 'vqa', 'problems.jsonl');
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'paper-like' });
  embeddings = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
  configFile = path.join(root, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl' },
      embedder: { kind: 'openai', baseURL: `${embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  };
  await writeFile(configFile, JSON.stringify(config));
});

afterAll(async () => {
  await Promise.all([mllm.close(), embeddings.close()]);
  await rm(root, { recursive: true, force: true });
});

const silent: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };
const quiet = { stdout: () => undefined, stderr: () => undefined, progress: silent };

function options(out: string, method: EvalVqaCommandOptions['method'] = 'memory'): EvalVqaCommandOptions {
  return { dataset, method, out, tenant: 'eval', config: configFile, cache: false };
}

describe('mmevolve eval-vqa (SIMULATED servers)', () => {
  it('runs the memory method online, reports accuracy, lessons and retrieval precision, and resumes after an abort', async () => {
    const out = path.join(root, 'memory');
    const controller = new AbortController();
    const aborting: ProgressReporter = { start: () => undefined, update: (done) => (done >= 3 ? controller.abort() : undefined), stop: () => undefined };
    const first = await runEvalVqaCommand(options(out), { ...quiet, signal: controller.signal, progress: aborting });
    expect(first.exitCode).toBe(130);
    const partial = (await readResultLines(out, vqaLineSchema)).lines;
    expect(partial.map((line) => line.index), 'the online protocol writes problems in order').toEqual(partial.map((_line, index) => index));

    const second = await runEvalVqaCommand(options(out), quiet);
    expect(second.exitCode).toBe(0);
    const lines = (await readResultLines(out, vqaLineSchema)).lines;
    expect(lines.map((line) => line.id)).toEqual(Array.from({ length: 10 }, (_unused, index) => String(index + 1)));
    expect(lines.every((line) => line.status === 'ok'), JSON.stringify(lines.map((line) => line.error))).toBe(true);
    const summary = second.report.summary;
    expect(summary.kind).toBe('vqa');
    if (summary.kind !== 'vqa') return;
    expect(summary.accuracy.correct).toBe(lines.filter((line) => line.correct).length);
    expect(summary.lessons.written).toBe(lines.reduce((sum, line) => sum + line.lessonsWritten.length, 0));
    expect(summary.byTrap, 'hidden-tags.jsonl beside the dataset gives accuracy by trap').toBeDefined();
    expect(summary.retrievalPrecision).toBeDefined();
    expect(second.report.simulated).toBe(true);
    const markdown = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('# SIMULATED');
    expect(markdown).toContain('Retrieval precision');
    expect(await readFile(path.join(out, 'accuracy-over-stream.svg'), 'utf8')).toContain('<svg');
  }, 120_000);

  it('refuses --ablate without the memory method', async () => {
    await expect(runEvalVqaCommand({ ...options(path.join(root, 'bad'), 'step'), ablate: 'visual' }, quiet)).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('runs step by step without an embedder call and without lessons', async () => {
    const out = path.join(root, 'step');
    const result = await runEvalVqaCommand({ ...options(out, 'step'), limit: 4 }, quiet);
    const lines = (await readResultLines(out, vqaLineSchema)).lines;
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.lessonsUsed.length === 0 && line.lessonsWritten.length === 0 && line.embeddings.texts === 0)).toBe(true);
    expect(result.report.summary.kind).toBe('vqa');
  }, 60_000);
});
