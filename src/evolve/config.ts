/**
 * Every constant of evolutionary reasoning segmentation in one zod-validated config. Defaults are the
 * published EVOL-SAM3 settings (arXiv 2512.24702; the authors' code, AHideoKuzeA/Evol-SAM3 src/solver.py,
 * src/prompts.py and configs/ReasonSeg_7B.yaml, issues 6 and 12); `fixes` are our changes, each a switch.
 * Presets: `published` (the authors' code, fixes off) and `improved` (same constants, fixes on).
 */
import { z } from 'zod';
import { deepMerge, isPlainRecord, mmevolveError } from '../core/index.js';
import { resolutionConfigSchema } from './resolution.js';

const probability = z.number().min(0).max(1);
const fallbackSource = z.enum(['text', 'box']);

/** Kind of benchmark a query comes from: ReasonSeg-style reasoning queries or RefCOCO-style referring expressions. */
export const DATASET_KINDS = ['reasonseg', 'refcoco'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export const evolveConfigSchema = z.strictObject({
  /** Individuals per generation (paper: 4). */
  populationSize: z.number().int().min(1).max(32).default(4),
  /** Refinements of the first planned phrase ("answer NO or a more specific phrase"), paper: up to 3. */
  maxRefinements: z.number().int().min(0).max(10).default(3),
  /** Variants asked for when the population is topped up or mutated (published: "3 distinct noun phrases"). */
  variantCount: z.number().int().min(1).max(16).default(3),
  /** Segmenter instances smaller than this (pixels) are dropped before OR-merging (paper: 50). */
  minInstancePixels: z.number().int().min(0).default(50),
  /** output_prob_thresh sent to the segmenter; 0.5 is SAM 3's own request default. */
  segmentThreshold: probability.default(0.5),
  gate: z
    .strictObject({
      /** Confidence above this passes without asking the MLLM (paper: 0.85). */
      passAbove: probability.default(0.85),
      /** Confidence below this fails without asking the MLLM (paper: 0.35). */
      failBelow: probability.default(0.35),
      /**
       * Confidence above this counts as segmenter-confirmed (paper: 0.6): in the published code such a mask
       * passes the gate whatever the MLLM answers (the MLLM is still asked); it also breaks fitness ties.
       */
      confirmedAbove: probability.default(0.6),
    })
    .prefault({}),
  arena: z
    .strictObject({
      /** Ablation switch of the published code: without the arena every elite keeps fitness 10. */
      enabled: z.boolean().default(true),
      /** Challengers whose mask IoU with the champion exceeds this are not fought (paper: 0.85). */
      skipIou: probability.default(0.85),
      /** Fights per generation (paper: 2). */
      maxFights: z.number().int().min(0).default(2),
      /** Score changes (paper): champion wins +1/−1, challenger wins −2/+2, tie 0. */
      championWins: z.strictObject({ champion: z.number(), challenger: z.number() }).default({ champion: 1, challenger: -1 }),
      challengerWins: z.strictObject({ champion: z.number(), challenger: z.number() }).default({ champion: -2, challenger: 2 }),
      tie: z.number().default(0),
      /** fitness = baseFitness + score (paper: 10). */
      baseFitness: z.number().default(10),
    })
    .prefault({}),
  stopping: z
    .strictObject({
      /** Stop when at least this many valid (gate-passed) individuals remain (paper: 2) … */
      minValid: z.number().int().min(1).default(2),
      /** … their fitness spread is at most this (paper: 3) … */
      maxSpread: z.number().min(0).default(3),
      /** … and the mean pairwise IoU of the top-k masks is at least this (paper: top-3, 0.95). */
      topK: z.number().int().min(2).default(3),
      minTopMeanIou: probability.default(0.95),
      /** Generations at most (paper: 2). */
      maxGenerations: z.number().int().min(1).max(20).default(2),
    })
    .prefault({}),
  final: z
    .strictObject({
      /** Published output modes: both streams arbitrated, the evolved text mask only, or the box mask only. */
      output: z.enum(['hybrid', 'text_only', 'box_only']).default('hybrid'),
      /** 'double' judges text vs box twice with the order swapped; 'single' once (ablation). */
      check: z.enum(['single', 'double']).default('double'),
      /** Winner when the verdicts disagree or tie, by dataset kind (published: text for ReasonSeg, box for RefCOCO). */
      inconsistentFallback: z.strictObject({ reasonseg: fallbackSource, refcoco: fallbackSource }).default({ reasonseg: 'text', refcoco: 'box' }),
    })
    .prefault({}),
  fixes: z
    .strictObject({
      /** Encode each image once (segmenter.prepare) and reuse it for every prompt. */
      encodeOnce: z.boolean().default(false),
      /** Skip mutation after the last generation (its children can never compete). */
      skipLastReproduction: z.boolean().default(false),
      /** Alternate the champion's position in arena fights (published: always candidate A, the second image). */
      swapArenaPositions: z.boolean().default(false),
      /** Run the independent calls of a stage concurrently. */
      concurrentStages: z.boolean().default(false),
      /** Send the query text itself (published: a Python list repr of all query variants). */
      queryTextOnly: z.boolean().default(false),
      /**
       * The MLLM's verdict decides every confidence in [failBelow, passAbove] (published: a confidence above
       * gate.confirmedAbove passes whatever the MLLM says, though it is asked).
       */
      mllmDecidesGateBand: z.boolean().default(false),
      /** Seed the population with every planned phrase (published: only the first, with its refinements). */
      keepOtherPlannedPhrases: z.boolean().default(false),
      /** When the planner names nothing, skip the evolution (published: evolve the phrase "object"). */
      noPlanNoEvolution: z.boolean().default(false),
      /** The gate prompt shows only the query (published: also the refined phrase and the overlay colour name). */
      gateSeesQueryOnly: z.boolean().default(false),
      /** The judge sees only the masks (published: also both source phrases and the overlay colour name). */
      judgeSeesMasksOnly: z.boolean().default(false),
      /** The judge may answer tie, with a reason (published: A or B only). */
      judgeMayTie: z.boolean().default(false),
      /** Mutation may keep the best phrase unchanged (published: it always rewrites it into a phrase). */
      mutationMayKeep: z.boolean().default(false),
    })
    .prefault({}),
  agent: z
    .strictObject({
      /** Tool calls at most before the agent is stopped (its last selection, or no mask, is returned). */
      maxTurns: z.number().int().min(1).default(12),
      /** Crop margin around a mask's box for examine_each_mask, as a fraction of the box side. */
      zoomMargin: z.number().min(0).default(0.25),
    })
    .prefault({}),
  /**
   * Image resolution per MLLM call (resolution.ts): `full` as always (default), `quarter` pixels for every
   * call, or `adaptive` by a cheap image rule or a judge call — a client-side analogue of InternVL3.5-Flash's ViR.
   */
  resolution: resolutionConfigSchema,
  /** Sampling temperature of every MLLM call (greedy by default, as the published code). */
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().positive().default(512),
});

export type EvolveConfig = z.output<typeof evolveConfigSchema>;
export type EvolveConfigInput = z.input<typeof evolveConfigSchema>;

export const EVOLVE_PRESET_NAMES = ['published', 'improved'] as const;
export type EvolvePresetName = (typeof EVOLVE_PRESET_NAMES)[number];

const PRESET_INPUTS: Record<EvolvePresetName, EvolveConfigInput> = {
  published: {},
  improved: {
    fixes: {
      encodeOnce: true,
      skipLastReproduction: true,
      swapArenaPositions: true,
      concurrentStages: true,
      queryTextOnly: true,
      mllmDecidesGateBand: true,
      keepOtherPlannedPhrases: true,
      noPlanNoEvolution: true,
      gateSeesQueryOnly: true,
      judgeSeesMasksOnly: true,
      judgeMayTie: true,
      mutationMayKeep: true,
    },
  },
};

/**
 * The preset every surface uses when none is chosen (CLI segment and eval, the HTTP routes and so the web
 * UI, the library): the published settings with our fixes on, which reach the same masks with fewer calls.
 */
export const DEFAULT_EVOLVE_PRESET: EvolvePresetName = 'improved';

/**
 * The config of a preset with optional overrides (e.g. a `--config` file), validated. Errors name the
 * field path ("arena.skipIou: …").
 */
export function resolveEvolveConfig(preset: EvolvePresetName = DEFAULT_EVOLVE_PRESET, overrides: unknown = {}, source = '<config>'): EvolveConfig {
  if (!isPlainRecord(overrides)) {
    throw mmevolveError('config-invalid', `${source}: the evolve config must be an object`, 'Write a JSON/YAML object such as {"populationSize": 4}.');
  }
  const parsed = evolveConfigSchema.safeParse(deepMerge(PRESET_INPUTS[preset] as Record<string, unknown>, overrides));
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw mmevolveError('config-invalid', `${source}: invalid evolve config — ${details}`, 'Fix the named fields; every field is optional and defaults to the published setting.');
  }
  return parsed.data;
}
