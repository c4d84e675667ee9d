/**
 * Noise knobs of the simulated servers and the documented presets. Every rate is a probability per
 * request (or per instance for the segmenter). A JSON config file may override any knob of a preset.
 *
 * Presets:
 * - `oracle`: no errors, no latency, no HTTP failures — the simulated models answer from the pixels exactly.
 * - `paper-like`: a 7B-class MLLM as the published method describes it: generation errors that grow with
 *   the query's inference steps (10% for a plain referring phrase, +12% per inference step), verification and judging
 *   clearly more reliable than generation (6% / 10% errors), a mild first-position bias, some malformed
 *   JSON, a SAM 3-like segmenter with occasional misses and boundary noise.
 * - `weak`: a small model: errors roughly doubled, strong position bias, frequent malformed output.
 * - `adversarial`: protocol torture: many 429/500 responses, stalls, malformed and truncated JSON.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const noiseConfigSchema = z.strictObject({
  /**
   * Generation (plan, refine, variants, box, agent phrase): P(error) = base + perStep·steps, capped at
   * 0.95, where steps = querySteps (0 for "the red triangle", one per implicit attribute/ordinal/relation).
   */
  generation: z.strictObject({ baseErrorRate: rate, perStepErrorRate: rate }),
  /** verify_mask: probability the yes/no answer is flipped. */
  verification: z.strictObject({ errorRate: rate }),
  /** judge_pair: probability the judge is unsure; when unsure it picks the first overlay with `positionBias`. */
  judging: z.strictObject({ unsureRate: rate, positionBias: rate }),
  /** predict_box / zoom_region: Gaussian jitter of each coordinate, as a fraction of the box side. */
  boxJitter: z.number().min(0).max(1),
  /** plan_phrases / rephrase_variants: probability a phrase names an object that is not in the image. */
  hallucinationRate: rate,
  /** answer_vqa: errors without a trap, and the probability of falling into a trap the problem contains. */
  vqa: z.strictObject({ baseErrorRate: rate, trapErrorRate: rate }),
  /** Error-rate multiplier (0..1) when the context holds a lesson that addresses the trap: 0.4 ⇒ 60% fewer. */
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

const oracle: NoiseConfig = {
  generation: { baseErrorRate: 0, perStepErrorRate: 0 },
  verification: { errorRate: 0 },
  judging: { unsureRate: 0, positionBias: 0.5 },
  boxJitter: 0,
  hallucinationRate: 0,
  vqa: { baseErrorRate: 0, trapErrorRate: 0 },
  relevantLessonFactor: 1,
  malformed: { rate: 0, truncatedShare: 0 },
  latency: { medianMs: 0, sigma: 0 },
  failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 },
  segmenter: { missRate: 0, spuriousRate: 0, boundaryRate: 0, boundaryPixels: 0, scoreNoise: 0 },
};

const paperLike: NoiseConfig = {
  generation: { baseErrorRate: 0.1, perStepErrorRate: 0.12 },
  verification: { errorRate: 0.06 },
  judging: { unsureRate: 0.1, positionBias: 0.65 },
  boxJitter: 0.06,
  hallucinationRate: 0.05,
  vqa: { baseErrorRate: 0.1, trapErrorRate: 0.6 },
  relevantLessonFactor: 0.4,
  malformed: { rate: 0.03, truncatedShare: 0.3 },
  latency: { medianMs: 0, sigma: 0.4 },
  failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 },
  segmenter: { missRate: 0.03, spuriousRate: 0.03, boundaryRate: 0.3, boundaryPixels: 2, scoreNoise: 0.05 },
};

const weak: NoiseConfig = {
  generation: { baseErrorRate: 0.25, perStepErrorRate: 0.18 },
  verification: { errorRate: 0.15 },
  judging: { unsureRate: 0.25, positionBias: 0.8 },
  boxJitter: 0.15,
  hallucinationRate: 0.15,
  vqa: { baseErrorRate: 0.25, trapErrorRate: 0.8 },
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
