/**
 * Noise knobs of the simulated servers and the documented presets (the README's SynthWorld table lists
 * them). A simulated model errs like a real one: one latent misreading per (model role, image, query)
 * that persists across its calls, more likely on harder queries, plus small per-call noise. A JSON config
 * file may override any knob of a preset.
 *
 * Presets:
 * - `oracle`: no errors, no latency, no HTTP failures — the simulated models answer from the pixels exactly.
 * - `paper-like`: a 7B-class MLLM: misreadings from 8% on an easy query, growing with difficulty; a judge
 *   and verifier that misread less but perceive overlays with noise, a mild first-position bias, some
 *   malformed JSON, a SAM 3-like segmenter with occasional misses and boundary noise.
 * - `weak`: a small model: more misreadings, more sensitive to difficulty, strong position bias.
 * - `adversarial`: protocol torture: many 429/500 responses, stalls, malformed and truncated JSON.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const noiseConfigSchema = z.strictObject({
  /**
   * How hard a (image, query) pair is, as perceived from the pixels: D = perStep·steps + occluded·[a target
   * is partly hidden] + small·[a target covers < smallAreaFraction of the image] + perDistractor·min(n,
   * maxDistractors), n = other objects of the target's category (shape). The world is the same for every
   * model, so every preset shares these weights; a model's sensitivity to D is its `difficultyWeight`.
   */
  difficulty: z.strictObject({
    perStep: rate,
    occluded: rate,
    small: rate,
    perDistractor: rate,
    maxDistractors: z.number().int().min(0).max(10),
    smallAreaFraction: rate,
  }),
  /**
   * Planner (plan, refine, variants, box, agent phrase): one latent misreading per (image, query), drawn with
   * P = min(0.95, baseErrorRate + difficultyWeight·D); a misreading model takes a distractor for the target
   * in every call about that query.
   */
  generation: z.strictObject({ baseErrorRate: rate, difficultyWeight: z.number().min(0).max(4) }),
  /**
   * verify_mask (also the agent's examine step): its own latent misreading of the target (same rule), then
   * "yes" when the overlay's perceived quality plus N(0, perceptionNoise) reaches acceptQuality.
   */
  verification: z.strictObject({ baseErrorRate: rate, difficultyWeight: z.number().min(0).max(4), perceptionNoise: z.number().min(0).max(1), acceptQuality: rate }),
  /**
   * judge_pair: its own latent misreading of the target (same rule); each overlay's perceived quality gets
   * N(0, perceptionNoise) per call, so near-equal masks are often misjudged; a perceived difference below
   * unsureMargin is unsure: 'tie' with tieShare, else the first overlay with positionBias; with
   * largerMaskRate per call it prefers the larger mask when the areas differ by more than 20%.
   */
  judging: z.strictObject({
    baseErrorRate: rate,
    difficultyWeight: z.number().min(0).max(4),
    perceptionNoise: z.number().min(0).max(1),
    unsureMargin: rate,
    positionBias: rate,
    tieShare: rate,
    largerMaskRate: rate,
  }),
  /** Small independent noise on top of the latent misreadings: per call, a fresh error of the call's kind. */
  perCallErrorRate: rate,
  /** predict_box / zoom_region: Gaussian jitter of each coordinate, as a fraction of the box side. */
  boxJitter: z.number().min(0).max(1),
  /** plan_phrases / rephrase_variants: probability a phrase names an object that is not in the image. */
  hallucinationRate: rate,
  /**
   * answer_vqa, latent per (image, question): a misreading with P = baseErrorRate + difficultyWeight·D, and a
   * fall into a trap the problem contains with P = trapErrorRate.
   */
  vqa: z.strictObject({ baseErrorRate: rate, difficultyWeight: z.number().min(0).max(4), trapErrorRate: rate }),
  /**
   * Trap-fall multiplier (0..1) when the context holds a lesson the solver can act on that applies to this
   * problem (src/sim/servers/lesson-reading.ts): 0.4 ⇒ 60% fewer. Lessons that only share words do nothing.
   */
  relevantLessonFactor: rate,
  /** Share of structured answers returned malformed: prose around JSON, markdown fences, or truncated JSON. */
  malformed: z.strictObject({ rate, truncatedShare: rate }),
  /** Response latency: log-normal with this median (ms) and log-space sigma; 0 median ⇒ no delay. */
  latency: z.strictObject({ medianMs: z.number().min(0), sigma: z.number().min(0).max(3) }),
  /** HTTP failures per request: 429, 500, and stalls (the answer arrives only after `stallMs`). */
  failures: z.strictObject({ rate429: rate, rate500: rate, stallRate: rate, stallMs: z.number().int().min(0) }),
  /** Segmenter (per instance): missed instances, spurious extra instances, boundary erosion/dilation. */
  segmenter: z.strictObject({
    missRate: rate,
    spuriousRate: rate,
    boundaryRate: rate,
    /** Largest erosion/dilation radius in pixels when a boundary is disturbed. */
    boundaryPixels: z.number().int().min(0).max(8),
    /** Standard deviation of the confidence noise. */
    scoreNoise: z.number().min(0).max(1),
  }),
});

export type NoiseConfig = z.infer<typeof noiseConfigSchema>;

/** The world's difficulty weights (see `difficulty`), shared by every preset. */
const WORLD_DIFFICULTY: NoiseConfig['difficulty'] = { perStep: 0.12, occluded: 0.1, small: 0.08, perDistractor: 0.04, maxDistractors: 3, smallAreaFraction: 0.004 };

const oracle: NoiseConfig = {
  difficulty: WORLD_DIFFICULTY,
  generation: { baseErrorRate: 0, difficultyWeight: 0 },
  verification: { baseErrorRate: 0, difficultyWeight: 0, perceptionNoise: 0, acceptQuality: 0.5 },
  judging: { baseErrorRate: 0, difficultyWeight: 0, perceptionNoise: 0, unsureMargin: 0.02, positionBias: 0.5, tieShare: 1, largerMaskRate: 0 },
  perCallErrorRate: 0,
  boxJitter: 0,
  hallucinationRate: 0,
  vqa: { baseErrorRate: 0, difficultyWeight: 0, trapErrorRate: 0 },
  relevantLessonFactor: 1,
  malformed: { rate: 0, truncatedShare: 0 },
  latency: { medianMs: 0, sigma: 0 },
  failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 },
  segmenter: { missRate: 0, spuriousRate: 0, boundaryRate: 0, boundaryPixels: 0, scoreNoise: 0 },
};

const paperLike: NoiseConfig = {
  difficulty: WORLD_DIFFICULTY,
  generation: { baseErrorRate: 0.08, difficultyWeight: 1 },
  verification: { baseErrorRate: 0.03, difficultyWeight: 0.5, perceptionNoise: 0.08, acceptQuality: 0.5 },
  judging: { baseErrorRate: 0.03, difficultyWeight: 0.5, perceptionNoise: 0.08, unsureMargin: 0.05, positionBias: 0.65, tieShare: 0.2, largerMaskRate: 0.05 },
  perCallErrorRate: 0.03,
  boxJitter: 0.06,
  hallucinationRate: 0.05,
  vqa: { baseErrorRate: 0.06, difficultyWeight: 0.5, trapErrorRate: 0.6 },
  relevantLessonFactor: 0.4,
  malformed: { rate: 0.03, truncatedShare: 0.3 },
  latency: { medianMs: 0, sigma: 0.4 },
  failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 },
  segmenter: { missRate: 0.03, spuriousRate: 0.03, boundaryRate: 0.3, boundaryPixels: 2, scoreNoise: 0.05 },
};

const weak: NoiseConfig = {
  difficulty: WORLD_DIFFICULTY,
  generation: { baseErrorRate: 0.2, difficultyWeight: 1.5 },
  verification: { baseErrorRate: 0.08, difficultyWeight: 1, perceptionNoise: 0.15, acceptQuality: 0.5 },
  judging: { baseErrorRate: 0.08, difficultyWeight: 1, perceptionNoise: 0.15, unsureMargin: 0.08, positionBias: 0.8, tieShare: 0.1, largerMaskRate: 0.15 },
  perCallErrorRate: 0.08,
  boxJitter: 0.15,
  hallucinationRate: 0.15,
  vqa: { baseErrorRate: 0.15, difficultyWeight: 1, trapErrorRate: 0.8 },
  relevantLessonFactor: 0.6,
  malformed: { rate: 0.1, truncatedShare: 0.3 },
  latency: { medianMs: 0, sigma: 0.6 },
  failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 },
  segmenter: { missRate: 0.08, spuriousRate: 0.08, boundaryRate: 0.5, boundaryPixels: 3, scoreNoise: 0.1 },
};

const adversarial: NoiseConfig = {
  ...paperLike,
  malformed: { rate: 0.3, truncatedShare: 0.5 },
  latency: { medianMs: 20, sigma: 1 },
  failures: { rate429: 0.1, rate500: 0.05, stallRate: 0.02, stallMs: 30_000 },
};

export const NOISE_PRESETS = { oracle, 'paper-like': paperLike, weak, adversarial } as const;
export type NoisePresetName = keyof typeof NOISE_PRESETS;
export const NOISE_PRESET_NAMES = Object.keys(NOISE_PRESETS) as NoisePresetName[];

export function isNoisePresetName(name: string): name is NoisePresetName {
  return Object.hasOwn(NOISE_PRESETS, name);
}
