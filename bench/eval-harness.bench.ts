/**
 * The evaluation harness end to end on SIMULATED servers (SynthWorld, `paper-like` preset), through the
 * same code as `mmevolve eval` / `eval-vqa` / `compare`: run folders, results.jsonl, reports recomputed
 * from it, paired bootstrap (10,000 resamples) on shared samples.
 *
 * 1. Issue 6 table: single, box, agent, evol (published settings) and evol (our fixes) on an exported
 *    SynthWorld ReasonSeg folder — gIoU/cIoU, calls per sample, segmenter image encodes per image — and
 *    bootstrap intervals evol-published − single, evol-improved − evol-published.
 * 2. Issue 7: step-by-step vs the memory method (and without visual / without logic lessons) online over
 *    SynthWorld VQA problems — accuracy, lessons, retrieval precision (hidden trap tags) — with bootstrap
 *    intervals memory − step.
 * Seed: MMEVOLVE_BENCH_SEED (default 7) seeds the datasets and the sim servers; MMEVOLVE_BENCH_MIN_SCORE sets
 * the retrieval threshold. Sizes: MMEVOLVE_BENCH_SEG_IMAGES (default 200, as issue 6 asks) and MMEVOLVE_BENCH_VQA_PROBLEMS (default 300); 0 skips a part;
 * MMEVOLVE_BENCH_SEG_METHODS keeps some segmentation runs (labels, comma-separated); MMEVOLVE_BENCH_KEEP=1
 * keeps the run folders.
 * Every number here describes the simulation, never a real model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBackends, parseConfig } from '../src/backends/index.js';
import type { Backends } from '../src/backends/index.js';
import { compareRuns, formatComparison, runSegmentationEval, runVqaEval, silentProgress, writeRunReport } from '../src/eval/index.js';
import { resolveEvolveConfig, runSegmentation } from '../src/evolve/index.js';
import type { EvolvePresetName, SegmentationMethod } from '../src/evolve/index.js';
import { mathVProblem, openMemoryStore, solveWithMemory } from '../src/memory/index.js';
import { pairedBootstrap } from '../src/eval/bootstrap.js';
import type { SolveMode } from '../src/memory/index.js';
import { SIM_EMBEDDING_MODEL, resolveSimConfig, exportReasonSeg, exportVqa, startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../src/sim/index.js';
import { readImage } from '../src/vision/index.js';
import { KEYWORD_LESSON, frozenLessonArms, signedInterval } from './sim-runs.js';

const SEG_IMAGES = Number(process.env.MMEVOLVE_BENCH_SEG_IMAGES ?? 200);
const VQA_PROBLEMS = Number(process.env.MMEVOLVE_BENCH_VQA_PROBLEMS ?? 300);
/** Comma-separated run labels to keep (e.g. "single,concept-only,evol-improved"); all when unset. The first is the intervals' baseline. */
const SEG_METHODS = process.env.MMEVOLVE_BENCH_SEG_METHODS?.split(',').map((label) => label.trim());
/** Dataset and sim-server seed (MMEVOLVE_BENCH_SEED; 7 is the seed settings were chosen on, report on others). */
const SEED = Number(process.env.MMEVOLVE_BENCH_SEED ?? 7);
/**
 * The paper's 0.7 assumes a semantic embedder. With the sim's lexical/perceptual vectors a lesson about the
 * problem's own trap scores ≈ 0.65–0.70 against the query and one about another trap ≈ 0.3–0.55, so 0.5
 * keeps most of the right lessons and drops most of the others (0.25 retrieved nearly every lesson:
 * precision near chance, see README "Benchmarks").
 */
const SIMULATED_MIN_SCORE = Number(process.env.MMEVOLVE_BENCH_MIN_SCORE ?? 0.5);
const SIMULATED_MEMORY_CONFIG = { retrieval: { logic: { minScore: SIMULATED_MIN_SCORE }, visual: { minScore: SIMULATED_MIN_SCORE } } };
/** Run labels to leave out (MMEVOLVE_BENCH_SKIP, comma-separated, e.g. "box,vqa-memory-no-visual"), to save time. */
const SKIP = new Set((process.env.MMEVOLVE_BENCH_SKIP ?? '').split(',').map((label) => label.trim()).filter((label) => label !== ''));
function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

async function segmentationTable(root: string): Promise<void> {
  const dataset = path.join(root, 'reasonseg');
  await exportReasonSeg({ n: SEG_IMAGES, seed: SEED, out: dataset });
  const mllmServer = await startSimMllmServer({ port: 0, host: '127.0.0.1', config: resolveSimConfig({ preset: 'paper-like', seed: SEED }) });
  const segmenterServer = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', config: resolveSimConfig({ preset: 'paper-like', seed: SEED }) });
  const config = parseConfig({
    backends: {
      mllm: { baseURL: `${mllmServer.url}/v1`, model: mllmServer.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false }, concurrency: 16 },
      segmenter: { baseURL: segmenterServer.url, concurrency: 16 },
    },
    cache: { enabled: false },
  });
  const backends: Backends = createBackends(config, { cache: false });
  const allRuns: Array<{ label: string; method: SegmentationMethod; preset: EvolvePresetName }> = [
    { label: 'single', method: 'single', preset: 'published' },
    { label: 'concept-only', method: 'concept-only', preset: 'published' },
    { label: 'box', method: 'box', preset: 'published' },
    { label: 'agent', method: 'agent', preset: 'published' },
    { label: 'evol-published', method: 'evol', preset: 'published' },
    { label: 'evol-improved', method: 'evol', preset: 'improved' },
  ];
  const runs = allRuns.filter((run) => (SEG_METHODS === undefined || SEG_METHODS.includes(run.label)) && !SKIP.has(run.label));
  try {
    const { mllm, segmenter } = backends;
    if (mllm === undefined || segmenter === undefined) throw new Error('backends missing');
    console.log(`SIMULATED SynthWorld ReasonSeg, paper-like preset, n = ${SEG_IMAGES} images (seed ${SEED}), 2 samples in flight`);
    for (const run of runs) {
      const evolveConfig = resolveEvolveConfig(run.preset);
      const started = performance.now();
      const result = await runSegmentationEval({
        dataset,
        method: run.method,
        out: path.join(root, run.label),
        settings: { preset: run.preset },
        backends: { mllm: mllm.model, segmenter: segmenter.model },
        simulatedBackends: true,
        segment: (image, sample, signal) =>
          runSegmentation(run.method, image, sample.query, { backends: { mllm, segmenter }, config: evolveConfig, isSentence: sample.isSentence, queryVariants: sample.queries.slice(1), signal }),
        concurrency: 2,
        progress: silentProgress,
      });
      const report = await writeRunReport(path.join(root, run.label));
      console.log(`  ran ${run.label}: ${result.ran} samples, ${result.failed} failed, ${seconds(performance.now() - started)} wall`);
      if (report.summary.kind === 'segmentation' && report.summary.judgeChecks.doubleChecks > 0) {
        const checks = report.summary.judgeChecks;
        const ci = checks.firstShareCi === undefined ? '' : ` [${(checks.firstShareCi[0] * 100).toFixed(1)}, ${(checks.firstShareCi[1] * 100).toFixed(1)}]`;
        console.log(
          `    final judge, both orders on ${checks.doubleChecks} samples: first overlay won ${checks.firstWins} of ${checks.firstWins + checks.secondWins} decisive verdicts (${((checks.firstShare ?? 0) * 100).toFixed(1)}%${ci}), ${checks.ties} ties; same position both orders ${checks.samePositionBoth}; inconsistent ${checks.inconsistent}; double check overturned ${checks.overturned}`,
        );
      }
    }
    const labels = ['single', ...runs.map((run) => run.label).filter((label) => label !== 'single')].filter((label) => runs.some((run) => run.label === label)).map((label) => path.join(root, label));
    console.log('\nIssue 6 table (baseline of the intervals: single):');
    console.log(formatComparison(await compareRuns(labels)));
    console.log('Our fixes vs the published settings:');
    console.log(formatComparison(await compareRuns([path.join(root, 'evol-published'), path.join(root, 'evol-improved')])));
  } finally {
    backends.close();
    await Promise.all([mllmServer.close(), segmenterServer.close()]);
  }
}

async function vqaComparison(root: string): Promise<void> {
  const folder = path.join(root, 'vqa');
  await exportVqa({ n: VQA_PROBLEMS, seed: SEED, out: folder });
  const dataset = path.join(folder, 'problems.jsonl');
  const mllmServer = await startSimMllmServer({ port: 0, host: '127.0.0.1', config: resolveSimConfig({ preset: 'paper-like', seed: SEED }) });
  const embeddingsServer = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
  const config = parseConfig({
    backends: {
      mllm: { baseURL: `${mllmServer.url}/v1`, model: mllmServer.modelId, profile: 'qwen2.5-vl', concurrency: 16 },
      embedder: { kind: 'openai', baseURL: `${embeddingsServer.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  });
  const backends = createBackends(config, { cache: false });
  const runs: Array<{ label: string; mode: SolveMode; ablate?: 'visual' | 'logic' }> = [
    { label: 'vqa-step', mode: 'step' as const },
    { label: 'vqa-memory', mode: 'memory' as const },
    { label: 'vqa-memory-no-visual', mode: 'memory' as const, ablate: 'visual' as const },
    { label: 'vqa-memory-no-logic', mode: 'memory' as const, ablate: 'logic' as const },
  ].filter((run) => !SKIP.has(run.label));
  try {
    const { mllm, embedder } = backends;
    if (mllm === undefined || embedder === undefined) throw new Error('backends missing');
    const [probe] = await embedder.embedTexts(['dimension probe']);
    console.log(`\nSIMULATED SynthWorld VQA, paper-like preset, n = ${VQA_PROBLEMS} problems (seed ${SEED}), online protocol (in order, memory starts empty), retrieval minScore ${SIMULATED_MIN_SCORE} for the lexical/perceptual sim embedder`);
    for (const run of runs) {
      const store = run.mode === 'memory' ? await openMemoryStore({ path: ':memory:', dimensions: probe?.length ?? 0, embeddingModel: embedder.model }) : undefined;
      const started = performance.now();
      try {
        const result = await runVqaEval({
          dataset,
          method: run.mode,
          out: path.join(root, run.label),
          settings: { memory: SIMULATED_MEMORY_CONFIG, ...(run.ablate === undefined ? {} : { ablate: run.ablate }) },
          backends: { mllm: mllm.model, embedder: embedder.model },
          simulatedBackends: true,
          solve: async (record, signal) =>
            solveWithMemory(mathVProblem(record, await readImage(record.imagePath)), {
              mllm,
              embedder,
              mode: run.mode,
              config: SIMULATED_MEMORY_CONFIG,
              signal,
              ...(store === undefined ? {} : { memory: store.forTenant('bench') }),
              ...(run.ablate === undefined ? {} : { ablate: run.ablate }),
            }),
          progress: silentProgress,
        });
        await writeRunReport(path.join(root, run.label));
        console.log(`  ran ${run.label}: ${result.ran} problems, ${result.failed} failed, ${seconds(performance.now() - started)} wall`);
      } finally {
        await store?.close();
      }
    }
    const folders = runs.map((run) => path.join(root, run.label));
    if (folders.length >= 2) {
      console.log('\nIssue 7 comparison (baseline of the intervals: step by step):');
      console.log(formatComparison(await compareRuns(folders)));
    } else {
      for (const folder of folders) console.log(JSON.stringify((await writeRunReport(folder)).summary, (key, value: unknown) => (key === 'perSample' ? undefined : value)));
    }
    if (!SKIP.has('frozen-lessons')) await frozenLessons(dataset, mllm);
  } finally {
    backends.close();
    await Promise.all([mllmServer.close(), embeddingsServer.close()]);
  }
}

/**
 * Issue 13: the same problems answered step by step with one frozen lesson in the context (the method's own
 * answer prompt, no retrieval, no learning): the keyword lesson listing the trap words, and content lessons
 * a solver can act on. Paired bootstrap against no lesson.
 */
async function frozenLessons(dataset: string, mllm: NonNullable<Backends['mllm']>): Promise<void> {
  const arms = await frozenLessonArms(dataset, mllm);
  console.log(`\nFrozen lessons in the step-by-step prompt (n = ${arms[0]?.correct.length ?? 0}); keyword lesson: "${KEYWORD_LESSON}"`);
  const base = arms[0]?.correct ?? [];
  for (const [index, arm] of arms.entries()) {
    const accuracy = arm.correct.reduce((sum, value) => sum + value, 0) / Math.max(1, arm.correct.length);
    const interval = index === 0 ? '' : (() => {
      const result = pairedBootstrap(base, arm.correct);
      return `  ${arm.label} − no lesson: ${signedInterval(result.difference, result.low, result.high)}`;
    })();
    console.log(`  ${arm.label.padEnd(24)} accuracy ${accuracy.toFixed(2)}${interval}`);
  }
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-bench-eval-'));
  try {
    // A size of 0 skips that part (e.g. MMEVOLVE_BENCH_SEG_IMAGES=0 for the VQA comparison alone).
    if (SEG_IMAGES > 0) await segmentationTable(root);
    if (VQA_PROBLEMS > 0) await vqaComparison(root);
  } finally {
    // MMEVOLVE_BENCH_KEEP=1 keeps the datasets and run folders (for `mmevolve compare` or per-query analysis).
    if (process.env.MMEVOLVE_BENCH_KEEP === '1') console.log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
