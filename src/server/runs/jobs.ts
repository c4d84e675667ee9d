/**
 * What a run does, by kind: a segmentation evaluation over a ReasonSeg folder (evol or a baseline), or a
 * VQA evaluation over a MATH-V-style jsonl (baseline, step or the memory method, online protocol, with
 * the run's own lesson database RUN/memory.sqlite so an evaluation never touches the tenant's memory).
 */
import path from 'node:path';
import type { Backends } from '../../backends/index.js';
import { missingEmbedder, noEmbedderError, openLessonStore } from '../../app/index.js';
import type { Embedder } from '../../core/index.js';
import { deepMerge, mmevolveError } from '../../core/index.js';
import { SEGMENTATION_METHODS, methodNeedsMllm, resolveEvolveConfig, runSegmentation } from '../../evolve/index.js';
import type { EvolvePresetName, SegmentationMethod } from '../../evolve/index.js';
import { runSegmentationEval, runVqaEval } from '../../eval/index.js';
import type { EvalRunOptions, ProgressReporter, RunSamplesOutcome } from '../../eval/index.js';
import { mathVProblem, parseMemoryMethodConfig, solveWithMemory } from '../../memory/index.js';
import type { MemoryMethodConfig, SolveMode, SqliteMemoryStore } from '../../memory/index.js';
import { readImage } from '../../vision/index.js';
import { backendModels } from '../health.js';
import type { RunRecord } from './run-record.js';

export const VQA_METHODS = ['baseline', 'step', 'memory'] as const;
export const RUN_MEMORY_FILE = 'memory.sqlite';

export interface JobContext {
  backends: Backends | undefined;
  /** The memory method's server-wide settings; a run's config overrides them. */
  memoryConfig: MemoryMethodConfig;
  embedder: Embedder | undefined;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Shared runs (serve replicas on Postgres): the run's samples are stored there, not in its folder. */
  openStore?: EvalRunOptions['openStore'];
}

type JobSpec = Pick<RunRecord, 'kind' | 'method' | 'preset' | 'config'> & { ablate?: 'visual' | 'logic' | undefined };

function isVqaMethod(method: string): method is SolveMode {
  return (VQA_METHODS as readonly string[]).includes(method);
}

/** Refuse a run that cannot start (unknown method, missing backend, invalid config) before it is queued. */
export function checkJob(spec: JobSpec, context: Pick<JobContext, 'backends' | 'memoryConfig' | 'embedder'>): void {
  const { mllm, segmenter } = context.backends ?? {};
  if (spec.kind === 'segmentation') {
    if (!(SEGMENTATION_METHODS as readonly string[]).includes(spec.method)) throw mmevolveError('invalid-input', `unknown segmentation method "${spec.method}"`, `Use one of ${SEGMENTATION_METHODS.join(', ')}.`);
    if (spec.ablate !== undefined) throw mmevolveError('invalid-input', 'ablate applies to VQA memory runs, not to segmentation runs', 'Leave ablate out, or start a run with kind "vqa" and method "memory".');
    if (segmenter === undefined || (mllm === undefined && methodNeedsMllm(spec.method as SegmentationMethod))) {
      throw mmevolveError('backend-not-configured', 'segmentation runs need an MLLM and a segmenter backend (concept-only: the segmenter alone)', 'Add backends.mllm and backends.segmenter to mmevolve.config.* and restart mmevolve serve.');
    }
    resolveEvolveConfig(spec.preset as EvolvePresetName, spec.config, 'config');
    return;
  }
  if (!isVqaMethod(spec.method)) throw mmevolveError('invalid-input', `unknown VQA method "${spec.method}"`, `Use one of ${VQA_METHODS.join(', ')}.`);
  if (spec.ablate !== undefined && spec.method !== 'memory') throw mmevolveError('invalid-input', 'ablate needs method "memory"', 'Ablations remove one lesson stream of the memory method.');
  if (mllm === undefined) throw mmevolveError('backend-not-configured', 'VQA runs need an MLLM backend', 'Add backends.mllm to mmevolve.config.* and restart mmevolve serve.');
  if (spec.method === 'memory' && context.embedder === undefined) throw noEmbedderError();
  parseMemoryMethodConfig(deepMerge(context.memoryConfig, spec.config), 'config');
}

export async function executeJob(record: RunRecord, dataset: string, directory: string, context: JobContext): Promise<RunSamplesOutcome<unknown>> {
  const backends = context.backends ?? { close: () => undefined };
  const used = backendModels(backends);
  const common = {
    out: directory,
    backends: used,
    simulatedBackends: Object.values(used).some((model) => model.startsWith('sim-')),
    signal: context.signal,
    progress: context.progress,
    ...(context.openStore === undefined ? {} : { openStore: context.openStore }),
    ...(record.limit === undefined ? {} : { limit: record.limit }),
  };
  const { mllm, segmenter, judge } = backends;
  if (record.kind === 'segmentation') {
    if (segmenter === undefined) throw mmevolveError('backend-not-configured', 'no segmenter backend', 'Add backends.segmenter and restart mmevolve serve.');
    if (mllm === undefined && methodNeedsMllm(record.method as SegmentationMethod)) {
      throw mmevolveError('backend-not-configured', 'no MLLM backend', 'Add backends.mllm and restart mmevolve serve.');
    }
    const config = resolveEvolveConfig(record.preset as EvolvePresetName, record.config, 'config');
    return runSegmentationEval({
      ...common,
      dataset,
      method: record.method,
      settings: { preset: record.preset, evolve: config, backends: used },
      concurrency: record.concurrency,
      segment: (image, sample, signal) =>
        runSegmentation(record.method as SegmentationMethod, image, sample.query, {
          backends: { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(judge === undefined ? {} : { judge }) },
          config,
          isSentence: sample.isSentence,
          queryVariants: sample.queries.slice(1),
          signal,
        }),
    });
  }
  if (mllm === undefined) throw mmevolveError('backend-not-configured', 'no MLLM backend', 'Add backends.mllm and restart mmevolve serve.');
  const mode = record.method as SolveMode;
  const methodConfig = parseMemoryMethodConfig(deepMerge(context.memoryConfig, record.config), 'config');
  const embedder = context.embedder;
  const database = path.join(directory, RUN_MEMORY_FILE);
  let store: SqliteMemoryStore | undefined;
  try {
    return await runVqaEval({
      ...common,
      dataset,
      method: mode,
      settings: { memory: methodConfig, backends: used, ...(record.ablate === undefined ? {} : { ablate: record.ablate }) },
      solve: async (problemRecord, signal) => {
        if (mode === 'memory') store ??= await openLessonStore(database, embedder);
        const problem = mathVProblem(problemRecord, await readImage(problemRecord.imagePath));
        return solveWithMemory(problem, {
          mllm,
          // Baseline and step never embed; memory runs were checked to have an embedder.
          embedder: embedder ?? missingEmbedder(),
          mode,
          config: methodConfig,
          signal,
          ...(store === undefined ? {} : { memory: store.forTenant(record.tenant) }),
          ...(judge === undefined ? {} : { judge }),
          ...(record.ablate === undefined ? {} : { ablate: record.ablate }),
        });
      },
    });
  } finally {
    await store?.close();
  }
}
