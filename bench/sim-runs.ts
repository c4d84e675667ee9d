/**
 * Shared plumbing of the benches that run methods against SIMULATED servers (calibration, cost): start a
 * simulated MLLM + segmenter (+ embeddings) stack for one noise preset and seed, and run one segmentation
 * method or one VQA mode over an exported SynthWorld folder through the code of `mmevolve eval` /
 * `eval-vqa` (run folders, results.jsonl, reports recomputed from it). Nothing here is a model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createBackends, parseConfig } from '../src/backends/index.js';
import type { Backends } from '../src/backends/index.js';
import { runSegmentationEval, runVqaEval, silentProgress, writeRunReport } from '../src/eval/index.js';
import type { RunReport } from '../src/eval/index.js';
import { resolveEvolveConfig, runSegmentation } from '../src/evolve/index.js';
import type { EvolvePresetName, SegmentationMethod } from '../src/evolve/index.js';
import { loadMathVDataset, mathVProblem, openMemoryStore, solveWithMemory } from '../src/memory/index.js';
import { answerVqaMessages } from '../src/memory/method/prompts.js';
import { verifyMathVAnswer } from '../src/memory/verify/verify-answer.js';
import type { SolveMode } from '../src/memory/index.js';
import { SIM_EMBEDDING_MODEL, VQA_TRAPS, resolveSimConfig, trapKeywords, startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../src/sim/index.js';
import type { NoisePresetName, SimMllmServer, SimSegmenterServer } from '../src/sim/index.js';
import { readImage } from '../src/vision/index.js';

export interface SimStackForBench {
  backends: Backends;
  mllmServer: SimMllmServer;
  segmenterServer: SimSegmenterServer;
  close(): Promise<void>;
}

/**
 * Simulated MLLM, segmenter and embeddings servers in this process, and clients for them; no response cache
 * unless `responseCache` (then an in-memory one, as `mmevolve eval` has by default, empty at the start).
 */
export async function startBenchStack(preset: NoisePresetName, seed: number, options: { responseCache?: boolean } = {}): Promise<SimStackForBench> {
  const config = resolveSimConfig({ preset, seed });
  const mllmServer = await startSimMllmServer({ port: 0, host: '127.0.0.1', config });
  const segmenterServer = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', config });
  const embeddingsServer = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
  const backends = createBackends(
    parseConfig({
      backends: {
        mllm: { baseURL: `${mllmServer.url}/v1`, model: mllmServer.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false }, concurrency: 16 },
        segmenter: { baseURL: segmenterServer.url, concurrency: 16 },
        embedder: { kind: 'openai', baseURL: `${embeddingsServer.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
      },
      cache: options.responseCache === true ? { enabled: true, path: ':memory:' } : { enabled: false },
    }),
    options.responseCache === true ? {} : { cache: false },
  );
  return {
    backends,
    mllmServer,
    segmenterServer,
    async close() {
      backends.close();
      await Promise.all([mllmServer.close(), segmenterServer.close(), embeddingsServer.close()]);
    },
  };
}

export interface SegRun {
  label: string;
  method: SegmentationMethod;
  preset: EvolvePresetName;
  /** Evolve config overrides over the preset (e.g. the resolution policy); none by default. */
  evolve?: Record<string, unknown>;
}

/** The methods of the calibration and cost tables (box is left out: it is no stage of either question). */
export const SEG_RUNS: readonly SegRun[] = [
  { label: 'single', method: 'single', preset: 'published' },
  { label: 'concept-only', method: 'concept-only', preset: 'published' },
  { label: 'agent', method: 'agent', preset: 'published' },
  { label: 'evol-published', method: 'evol', preset: 'published' },
  { label: 'evol-improved', method: 'evol', preset: 'improved' },
];

/** One method over a ReasonSeg folder into `out` (a run folder); returns its report. */
export async function runSegMethod(stack: Pick<SimStackForBench, 'backends'>, dataset: string, out: string, run: SegRun, concurrency: number): Promise<RunReport> {
  const { mllm, segmenter } = stack.backends;
  if (mllm === undefined || segmenter === undefined) throw new Error('bench stack has no mllm or segmenter');
  const evolveConfig = resolveEvolveConfig(run.preset, run.evolve ?? {});
  await runSegmentationEval({
    dataset,
    method: run.method,
    out,
    settings: { preset: run.preset, ...(run.evolve === undefined ? {} : { evolve: run.evolve }) },
    backends: { mllm: mllm.model, segmenter: segmenter.model },
    simulatedBackends: true,
    segment: (image, sample, signal) =>
      runSegmentation(run.method, image, sample.query, { backends: { mllm, segmenter }, config: evolveConfig, isSentence: sample.isSentence, queryVariants: sample.queries.slice(1), signal }),
    concurrency,
    progress: silentProgress,
  });
  return writeRunReport(out);
}

/** One VQA mode over a MATH-V-layout problems.jsonl (online protocol, memory starting empty). */
export async function runVqaMode(stack: SimStackForBench, dataset: string, out: string, mode: SolveMode, memoryConfig: object): Promise<RunReport> {
  const { mllm, embedder } = stack.backends;
  if (mllm === undefined || embedder === undefined) throw new Error('bench stack has no mllm or embedder');
  const [probe] = await embedder.embedTexts(['dimension probe']);
  const store = mode === 'memory' ? await openMemoryStore({ path: ':memory:', dimensions: probe?.length ?? 0, embeddingModel: embedder.model }) : undefined;
  try {
    await runVqaEval({
      dataset,
      method: mode,
      out,
      settings: { memory: memoryConfig },
      backends: { mllm: mllm.model, embedder: embedder.model },
      simulatedBackends: true,
      solve: async (record, signal) =>
        solveWithMemory(mathVProblem(record, await readImage(record.imagePath)), {
          mllm,
          embedder,
          mode,
          config: memoryConfig,
          signal,
          ...(store === undefined ? {} : { memory: store.forTenant('bench') }),
        }),
      progress: silentProgress,
    });
  } finally {
    await store?.close();
  }
  return writeRunReport(out);
}

/** Inference steps per sample name, from the hidden `sim-queries.jsonl` of an exported ReasonSeg folder. */
export async function readQuerySteps(dataset: string): Promise<Map<string, number>> {
  const text = await readFile(path.join(dataset, 'sim-queries.jsonl'), 'utf8');
  const steps = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fact = JSON.parse(line) as { name: string; steps: number };
    steps.set(fact.name, fact.steps);
  }
  return steps;
}

/** "+1.23 [−0.45, +2.34]" for a difference in points. */
export function signedInterval(difference: number, low: number, high: number): string {
  const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
  return `${signed(difference)} [${signed(low)}, ${signed(high)}]`;
}

/** The issue 13 frozen lesson: the simulation's trap words in one line, with no rule in it. */
export const KEYWORD_LESSON = VQA_TRAPS.flatMap((trap) => trapKeywords(trap)).join(', ');
/** Frozen lessons with content a solver can act on (operator rules and the colour pairs), for contrast. */
export const CONTENT_LESSONS = [
  'Count every object that matches, including ones partly covered by another object.',
  'Left and right mean the left and right of the image as shown; never mirror the scene.',
  'Distinguish orange from yellow, red from brown and green from teal before counting or naming a colour.',
];

export interface FrozenArm {
  label: string;
  /** 100 for a correct answer, 0 otherwise, in problem order. */
  correct: number[];
}

/**
 * The problems answered with the method's own answer prompt and a fixed set of lessons in the context (no
 * retrieval, no learning): no lesson, the keyword lesson, the content lessons. Pair each arm with the first.
 */
export async function frozenLessonArms(dataset: string, mllm: NonNullable<Backends['mllm']>): Promise<FrozenArm[]> {
  const records = await loadMathVDataset(dataset);
  const arms = [
    { label: 'no lesson', lessons: [] as string[] },
    { label: 'frozen keyword lesson', lessons: [KEYWORD_LESSON] },
    { label: 'frozen content lessons', lessons: CONTENT_LESSONS },
  ];
  const correct = arms.map(() => [] as number[]);
  for (const record of records) {
    const problem = mathVProblem(record, await readImage(record.imagePath));
    for (const [index, arm] of arms.entries()) {
      const lessons = arm.lessons.map((text) => ({ stream: 'visual' as const, text }));
      const answer = await mllm.chat({ messages: answerVqaMessages(problem, { mode: arm.lessons.length === 0 ? 'step' : 'memory', lessons }), images: [problem.image], stage: 'frozen-lesson' });
      correct[index]?.push(verifyMathVAnswer(answer.value, { answer: record.answer, options: record.options }).correct ? 100 : 0);
    }
  }
  return arms.map((arm, index) => ({ label: arm.label, correct: correct[index] ?? [] }));
}
