/**
 * Draws of the noise model. Two kinds of RNG feed it: a latent one the server seeds from (model role,
 * image content, query text, server seed) — the same for every call of that role about that query, so a
 * misreading persists — and a per-call one seeded from the request. Rates are exactly the configured
 * knobs; noise-model.test.ts measures them over thousands of draws.
 */
import type { Rng } from '../world/index.js';
import type { NoiseConfig } from './config.js';

/** Cap so that even the hardest queries are sometimes read right. */
const MAX_MISREADING = 0.95;
/** Relative area difference above which a judge with a size preference picks the larger mask. */
const LARGER_MASK_RATIO = 1.2;

export type MalformedKind = 'prose' | 'fence' | 'truncated';
export type FailureKind = 'rate-limit' | 'server-error' | 'stall';
/** The simulated model roles that each draw their own latent misreading. */
export type ModelRole = 'planner' | 'judge' | 'verifier' | 'vqa';
export type PairPick = 'A' | 'B' | 'tie';

/** What makes an (image, query) pair hard, as perceived from the pixels (never from ground truth). */
export interface Difficulty {
  /** Inference steps of the query (attributes described indirectly, ordinals, relations). */
  steps: number;
  /** A target is partly hidden by another object. */
  occluded: boolean;
  /** Smallest target area as a fraction of the image (1 when there is no target). */
  targetAreaFraction: number;
  /** Other objects of the target's category (shape). */
  sameCategoryDistractors: number;
}

export interface NoiseModel {
  readonly config: NoiseConfig;
  /** D of config.difficulty: 0 for a plain, large, unoccluded target without look-alikes. */
  difficultyScore(difficulty: Difficulty): number;
  /** P(latent misreading) of a role for an (image, query) of this difficulty. */
  misreadingRate(role: ModelRole, difficulty: Difficulty): number;
  /** The role's latent misreading: draw from the rng seeded by (role, image, query, server seed). */
  misreads(latent: Rng, role: ModelRole, difficulty: Difficulty): boolean;
  /** Small independent per-call error. */
  perCallError(rng: Rng): boolean;
  /** Per-call noise on a perceived overlay quality (judge or verifier). */
  perceptionNoise(rng: Rng, role: 'judge' | 'verifier'): number;
  /** The judge's pick between two overlays of perceived qualities a and b and areas. */
  judgePair(rng: Rng, quality: readonly [number, number], areas: readonly [number, number]): PairPick;
  hallucination(rng: Rng): boolean;
  /** VQA, latent per (image, question): falls into the trap (an applicable lesson may prevent it). */
  vqaTrap(latent: Rng, lessonApplies: boolean): boolean;
  malformed(rng: Rng): MalformedKind | undefined;
  failure(rng: Rng): FailureKind | undefined;
  latencyMs(rng: Rng): number;
  /** A standard-normal draw scaled by the box side, for one coordinate. */
  boxJitter(rng: Rng, side: number): number;
}

/** Box–Muller; one of the pair is discarded to keep draws per call fixed. */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function roleKnobs(config: NoiseConfig, role: ModelRole): { baseErrorRate: number; difficultyWeight: number } {
  switch (role) {
    case 'planner':
      return config.generation;
    case 'judge':
      return config.judging;
    case 'verifier':
      return config.verification;
    case 'vqa':
      return config.vqa;
  }
}

export function createNoiseModel(config: NoiseConfig): NoiseModel {
  const difficultyScore = (difficulty: Difficulty): number => {
    const weights = config.difficulty;
    return (
      weights.perStep * Math.max(0, difficulty.steps) +
      (difficulty.occluded ? weights.occluded : 0) +
      (difficulty.targetAreaFraction < weights.smallAreaFraction ? weights.small : 0) +
      weights.perDistractor * Math.min(weights.maxDistractors, Math.max(0, difficulty.sameCategoryDistractors))
    );
  };
  const misreadingRate = (role: ModelRole, difficulty: Difficulty): number => {
    const knobs = roleKnobs(config, role);
    return Math.min(MAX_MISREADING, knobs.baseErrorRate + knobs.difficultyWeight * difficultyScore(difficulty));
  };
  return {
    config,
    difficultyScore,
    misreadingRate,
    misreads: (latent, role, difficulty) => latent.chance(misreadingRate(role, difficulty)),
    perCallError: (rng) => rng.chance(config.perCallErrorRate),
    perceptionNoise: (rng, role) => {
      const sigma = role === 'judge' ? config.judging.perceptionNoise : config.verification.perceptionNoise;
      return sigma === 0 ? 0 : gaussian(rng) * sigma;
    },
    judgePair: (rng, quality, areas) => {
      const judging = config.judging;
      // Fixed draws per call (two gaussians, three uniforms) so that one knob does not shift the others.
      const noiseA = judging.perceptionNoise === 0 ? 0 : gaussian(rng) * judging.perceptionNoise;
      const noiseB = judging.perceptionNoise === 0 ? 0 : gaussian(rng) * judging.perceptionNoise;
      const larger = rng.chance(judging.largerMaskRate);
      const tie = rng.chance(judging.tieShare);
      const first = rng.chance(judging.positionBias);
      const [areaA, areaB] = areas;
      if (larger && Math.max(areaA, areaB) > LARGER_MASK_RATIO * Math.min(areaA, areaB)) return areaA > areaB ? 'A' : 'B';
      const difference = quality[0] + noiseA - (quality[1] + noiseB);
      if (Math.abs(difference) >= judging.unsureMargin) return difference > 0 ? 'A' : 'B';
      if (tie) return 'tie';
      return first ? 'A' : 'B';
    },
    hallucination: (rng) => rng.chance(config.hallucinationRate),
    vqaTrap: (latent, lessonApplies) => {
      const falls = latent.chance(config.vqa.trapErrorRate);
      const prevented = latent.chance(1 - config.relevantLessonFactor);
      return falls && !(lessonApplies && prevented);
    },
    malformed: (rng) => {
      if (!rng.chance(config.malformed.rate)) return undefined;
      if (rng.chance(config.malformed.truncatedShare)) return 'truncated';
      return rng.chance(0.5) ? 'prose' : 'fence';
    },
    failure: (rng) => {
      const draw = rng.next();
      const { rate429, rate500, stallRate } = config.failures;
      if (draw < rate429) return 'rate-limit';
      if (draw < rate429 + rate500) return 'server-error';
      if (draw < rate429 + rate500 + stallRate) return 'stall';
      return undefined;
    },
    latencyMs: (rng) => (config.latency.medianMs === 0 ? 0 : config.latency.medianMs * Math.exp(config.latency.sigma * gaussian(rng))),
    boxJitter: (rng, side) => (config.boxJitter === 0 ? 0 : gaussian(rng) * config.boxJitter * side),
  };
}

/** Apply a malformation to a JSON answer the way real models break structured output. */
export function malformJson(json: string, kind: MalformedKind): string {
  switch (kind) {
    case 'prose':
      return `Sure! Here is my answer:\n${json}\nLet me know if you need anything else.`;
    case 'fence':
      return `\`\`\`json\n${json}\n\`\`\``;
    case 'truncated':
      return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
  }
}
