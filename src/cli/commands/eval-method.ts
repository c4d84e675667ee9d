/**
 * How `eval` turns its flags into a run's settings and a segmentation function, and how a `worker` turns
 * a run's recorded settings back into the same function with its own backends. Both go through here, so a
 * sample run by a worker is run exactly as `eval` would have run it in one process.
 */
import { z } from 'zod';
import { canonicalJson, mmevolveError } from '../../core/index.js';
import type { Workspace } from '../../app/index.js';
import { EVOLVE_PRESET_NAMES, isSegmentationMethod, resolveEvolveConfig, runSegmentation } from '../../evolve/index.js';
import type { EvolveConfig, EvolvePresetName, SegmentationMethod } from '../../evolve/index.js';
import type { Backends } from '../../backends/index.js';
import type { DatasetSpec, RunManifest, SegmentSample } from '../../eval/index.js';

/** Model ids whose name says they are SynthWorld's simulated servers. */
export function isSimulatedModel(model: string): boolean {
  return model.startsWith('sim-');
}

/** Backend role → model id, as a run records them. */
export function backendModels(backends: Backends): Record<string, string> {
  const models: Record<string, string> = {};
  if (backends.mllm !== undefined) models.mllm = backends.mllm.model;
  if (backends.judge !== undefined) models.judge = backends.judge.model;
  if (backends.segmenter !== undefined) models.segmenter = backends.segmenter.model;
  if (backends.embedder !== undefined) models.embedder = backends.embedder.model;
  return models;
}

export interface SampleBudgetSettings {
  maxCalls?: number;
  maxTokens?: number;
  failFastNoTarget?: boolean;
}

export interface SegmentationSettings {
  method: SegmentationMethod;
  preset: EvolvePresetName;
  evolve: EvolveConfig;
  datasetSpec: Omit<DatasetSpec, 'path'>;
  budget?: SampleBudgetSettings;
}

/** The result-changing settings recorded in the run's manifest (part of its identity). */
export function runSettings(settings: SegmentationSettings, models: Record<string, string>): Record<string, unknown> {
  const budgeted = settings.budget !== undefined && Object.keys(settings.budget).length > 0;
  return {
    preset: settings.preset,
    evolve: settings.evolve,
    backends: models,
    ...(settings.datasetSpec.format === undefined ? {} : { dataset: settings.datasetSpec }),
    ...(budgeted ? { budget: settings.budget } : {}),
  };
}

/** One sample through the method with the workspace's backends (the CLI's eval and worker both use it). */
export function segmentFunction(workspace: Workspace, settings: SegmentationSettings): SegmentSample {
  const { mllm, judge, segmenter } = workspace.segmentation(settings.method);
  const budget = settings.budget !== undefined && Object.keys(settings.budget).length > 0 ? settings.budget : undefined;
  const format = settings.datasetSpec.format;
  return (image, sample, signal) =>
    runSegmentation(settings.method, image, sample.query, {
      backends: { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(judge === undefined ? {} : { judge }) },
      config: settings.evolve,
      isSentence: sample.isSentence,
      queryVariants: sample.queries.slice(1),
      // RefCOCO-family referring expressions: an inconsistent final verdict falls back to box (published rule).
      datasetKind: format === undefined || format === 'reasonseg' ? 'reasonseg' : 'refcoco',
      signal,
      ...(budget === undefined ? {} : { budget }),
    });
}

const recordedSettingsSchema = z.looseObject({
  preset: z.enum(EVOLVE_PRESET_NAMES),
  evolve: z.record(z.string(), z.unknown()),
  dataset: z.record(z.string(), z.unknown()).optional(),
  budget: z.strictObject({ maxCalls: z.number().int().positive().optional(), maxTokens: z.number().int().positive().optional(), failFastNoTarget: z.boolean().optional() }).optional(),
});

/**
 * A worker's segmentation function for a run: the run's method and recorded settings, the worker's
 * backends. A worker whose models differ from the run's refuses (its results would not be this run's).
 */
export function segmentFunctionForRun(workspace: Workspace, manifest: RunManifest): SegmentSample {
  if (!isSegmentationMethod(manifest.method)) throw mmevolveError('invalid-input', `run method "${manifest.method}" is not a segmentation method`, 'Workers run segmentation evaluations started by mmevolve eval --queue.');
  const models = backendModels(workspace.backends);
  if (canonicalJson(models) !== canonicalJson(manifest.backends)) {
    throw mmevolveError('conflict', `this worker's models ${canonicalJson(models)} are not the run's ${canonicalJson(manifest.backends)}`, 'Start the worker with the same backends (config or model flags) as the mmevolve eval --queue that started the run.');
  }
  const parsed = recordedSettingsSchema.safeParse(manifest.settings);
  if (!parsed.success) throw mmevolveError('invalid-dataset', 'the run manifest has no valid segmentation settings', 'Start the run again with mmevolve eval --queue.', parsed.error);
  const { preset, evolve, dataset, budget } = parsed.data;
  const budgetSettings: SampleBudgetSettings = {
    ...(budget?.maxCalls === undefined ? {} : { maxCalls: budget.maxCalls }),
    ...(budget?.maxTokens === undefined ? {} : { maxTokens: budget.maxTokens }),
    ...(budget?.failFastNoTarget === undefined ? {} : { failFastNoTarget: budget.failFastNoTarget }),
  };
  return segmentFunction(workspace, {
    method: manifest.method,
    preset,
    // The recorded config is complete; resolving it over its preset only validates it.
    evolve: resolveEvolveConfig(preset, evolve, 'run manifest: evolve'),
    datasetSpec: (dataset ?? {}) as Omit<DatasetSpec, 'path'>,
    budget: budgetSettings,
  });
}
