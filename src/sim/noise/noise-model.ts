/**
 * Draws of the noise model. Every draw consumes a seeded RNG that the server derives per request, so a
 * request replayed with the same seed gets the same answer. Rates are exactly the configured knobs;
 * noise-model.test.ts measures them over thousands of draws.
 */
import type { Rng } from '../world/index.js';
import type { NoiseConfig } from './config.js';

/** Cap so that even long reasoning chains are sometimes answered right. */
const MAX_GENERATION_ERROR = 0.95;

export type MalformedKind = 'prose' | 'fence' | 'truncated';
export type FailureKind = 'rate-limit' | 'server-error' | 'stall';

export interface NoiseModel {
  readonly config: NoiseConfig;
  /** Error probability of a generation task for a query with `steps` inference steps. */
  generationErrorRate(steps: number, lessonAddressesTrap?: boolean): number;
  generationError(rng: Rng, steps: number, lessonAddressesTrap?: boolean): boolean;
  verificationError(rng: Rng): boolean;
  /** The judge's pick when it is unsure ('A' = first overlay), or undefined when it judges correctly. */
  unsureJudgement(rng: Rng): 'A' | 'B' | undefined;
  hallucination(rng: Rng): boolean;
  /** VQA: 'trap' when it falls into the problem's trap, 'random' for another error, else undefined. */
  vqaError(rng: Rng, hasTrap: boolean, lessonAddressesTrap: boolean): 'trap' | 'random' | undefined;
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

export function createNoiseModel(config: NoiseConfig): NoiseModel {
  const lessonFactor = (addressed: boolean | undefined): number => (addressed === true ? config.relevantLessonFactor : 1);
  const generationErrorRate = (steps: number, addressed?: boolean): number => {
    const raw = config.generation.baseErrorRate + config.generation.perStepErrorRate * Math.max(0, steps);
    return Math.min(MAX_GENERATION_ERROR, raw) * lessonFactor(addressed);
  };
  return {
    config,
    generationErrorRate,
    generationError: (rng, steps, addressed) => rng.chance(generationErrorRate(steps, addressed)),
    verificationError: (rng) => rng.chance(config.verification.errorRate),
    unsureJudgement: (rng) => {
      if (!rng.chance(config.judging.unsureRate)) return undefined;
      return rng.chance(config.judging.positionBias) ? 'A' : 'B';
    },
    hallucination: (rng) => rng.chance(config.hallucinationRate),
    vqaError: (rng, hasTrap, addressed) => {
      if (hasTrap && rng.chance(config.vqa.trapErrorRate * lessonFactor(addressed))) return 'trap';
      return rng.chance(config.vqa.baseErrorRate) ? 'random' : undefined;
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
