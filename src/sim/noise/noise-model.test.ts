import { describe, expect, it } from 'vitest';
import { createRng } from '../world/index.js';
import { NOISE_PRESETS, NOISE_PRESET_NAMES } from './config.js';
import { createNoiseModel, gaussian, malformJson } from './noise-model.js';
import type { Difficulty } from './noise-model.js';
import { resolveSimConfig } from './resolve.js';

const DRAWS = 20_000;
/** 4 binomial standard deviations at p = 0.5 and 20,000 draws is 0.014; we allow 0.015. */
const TOLERANCE = 0.015;

function measure(draw: (seed: number) => boolean): number {
  let hits = 0;
  for (let seed = 0; seed < DRAWS; seed += 1) if (draw(seed)) hits += 1;
  return hits / DRAWS;
}

const EASY: Difficulty = { steps: 0, occluded: false, targetAreaFraction: 0.05, sameCategoryDistractors: 0 };

describe('noise model', () => {
  const model = createNoiseModel(NOISE_PRESETS['paper-like']);
  const config = model.config;

  it('misreads at base + weight·D, with D growing with steps, occlusion, small targets and same-category distractors', () => {
    const harder: Difficulty[] = [
      { ...EASY, steps: 2 },
      { ...EASY, occluded: true },
      { ...EASY, targetAreaFraction: config.difficulty.smallAreaFraction / 2 },
      { ...EASY, sameCategoryDistractors: 2 },
    ];
    expect(model.misreadingRate('planner', EASY)).toBeCloseTo(config.generation.baseErrorRate, 10);
    for (const difficulty of harder) {
      expect(model.misreadingRate('planner', difficulty), JSON.stringify(difficulty)).toBeGreaterThan(model.misreadingRate('planner', EASY));
      const measured = measure((seed) => model.misreads(createRng(seed), 'planner', difficulty));
      const expected = model.misreadingRate('planner', difficulty);
      expect(Math.abs(measured - expected), `${JSON.stringify(difficulty)}: ${measured} vs ${expected}`).toBeLessThan(TOLERANCE);
    }
    const capped = model.misreadingRate('planner', { steps: 20, occluded: true, targetAreaFraction: 0, sameCategoryDistractors: 10 });
    expect(capped, 'even the hardest query is sometimes read right').toBe(0.95);
  });

  it('draws the same misreading from the same latent seed: a misreading persists across calls', () => {
    const hard: Difficulty = { ...EASY, steps: 2, sameCategoryDistractors: 2 };
    for (let seed = 0; seed < 500; seed += 1) {
      expect(model.misreads(createRng(seed), 'planner', hard)).toBe(model.misreads(createRng(seed), 'planner', hard));
    }
  });

  it('lets the judge and verifier misread less often than the planner', () => {
    const hard: Difficulty = { ...EASY, steps: 2 };
    expect(model.misreadingRate('judge', hard)).toBeLessThan(model.misreadingRate('planner', hard));
    expect(model.misreadingRate('verifier', hard)).toBeLessThan(model.misreadingRate('planner', hard));
  });

  it('judges clearly different overlays right, near-equal ones with the configured first-position bias', () => {
    const clear = measure((seed) => model.judgePair(createRng(seed), [0.9, 0.2], [100, 100]) === 'A');
    expect(clear, 'clear difference').toBeGreaterThan(0.99);
    let first = 0;
    let second = 0;
    for (let seed = 0; seed < DRAWS; seed += 1) {
      const pick = model.judgePair(createRng(seed), [0.8, 0.8], [100, 100]);
      if (pick === 'A') first += 1;
      if (pick === 'B') second += 1;
    }
    // Equal qualities: the pick is the noise's when the perceived difference passes the margin, else the bias's.
    const unsure = measure((seed) => {
      const rng = createRng(seed);
      const difference = gaussian(rng) * config.judging.perceptionNoise - gaussian(rng) * config.judging.perceptionNoise;
      return Math.abs(difference) < config.judging.unsureMargin;
    });
    const expectedFirst = (1 - unsure) / 2 + unsure * (1 - config.judging.tieShare) * config.judging.positionBias;
    expect(Math.abs(first / DRAWS - expectedFirst), `first ${first / DRAWS} vs ${expectedFirst}`).toBeLessThan(0.02);
    expect(first, 'first overlay preferred when the masks look equal').toBeGreaterThan(second);
    const nearErrors = measure((seed) => model.judgePair(createRng(seed), [0.62, 0.58], [100, 100]) === 'B');
    const farErrors = measure((seed) => model.judgePair(createRng(seed), [0.8, 0.4], [100, 100]) === 'B');
    expect(nearErrors, 'more errors when the masks are similar').toBeGreaterThan(farErrors + 0.1);
  });

  it('sometimes prefers the larger mask whatever the qualities', () => {
    const larger = measure((seed) => model.judgePair(createRng(seed), [0.9, 0.3], [100, 400]) === 'B');
    expect(Math.abs(larger - config.judging.largerMaskRate), `${larger}`).toBeLessThan(TOLERANCE);
    const sameSize = measure((seed) => model.judgePair(createRng(seed), [0.9, 0.3], [100, 110]) === 'B');
    expect(sameSize, 'no size preference between masks of about the same area').toBeLessThan(0.005);
  });

  it('errs per call at the small per-call rate', () => {
    const measured = measure((seed) => model.perCallError(createRng(seed)));
    expect(Math.abs(measured - config.perCallErrorRate)).toBeLessThan(TOLERANCE);
  });

  it('malforms, hallucinates and fails at the configured rates', () => {
    const adversarial = createNoiseModel(NOISE_PRESETS.adversarial);
    const failures = { rate429: 0, rate500: 0, stall: 0 };
    for (let seed = 0; seed < DRAWS; seed += 1) {
      const failure = adversarial.failure(createRng(seed));
      if (failure === 'rate-limit') failures.rate429 += 1;
      if (failure === 'server-error') failures.rate500 += 1;
      if (failure === 'stall') failures.stall += 1;
    }
    const expected = adversarial.config.failures;
    expect(Math.abs(failures.rate429 / DRAWS - expected.rate429)).toBeLessThan(TOLERANCE);
    expect(Math.abs(failures.rate500 / DRAWS - expected.rate500)).toBeLessThan(TOLERANCE);
    expect(Math.abs(failures.stall / DRAWS - expected.stallRate)).toBeLessThan(TOLERANCE);
    const malformed = measure((seed) => adversarial.malformed(createRng(seed)) !== undefined);
    expect(Math.abs(malformed - adversarial.config.malformed.rate)).toBeLessThan(TOLERANCE);
    const hallucinated = measure((seed) => model.hallucination(createRng(seed)));
    expect(Math.abs(hallucinated - config.hallucinationRate)).toBeLessThan(TOLERANCE);
  });

  it('falls into VQA traps at the trap rate, less often only when a lesson applies', () => {
    const trap = measure((seed) => model.vqaTrap(createRng(seed), false));
    const helped = measure((seed) => model.vqaTrap(createRng(seed), true));
    expect(Math.abs(trap - config.vqa.trapErrorRate)).toBeLessThan(TOLERANCE);
    expect(Math.abs(helped - config.vqa.trapErrorRate * config.relevantLessonFactor)).toBeLessThan(TOLERANCE);
  });

  it('jitters box coordinates with the configured standard deviation', () => {
    let sum = 0;
    let squares = 0;
    for (let seed = 0; seed < DRAWS; seed += 1) {
      const value = model.boxJitter(createRng(seed), 100);
      sum += value;
      squares += value * value;
    }
    const deviation = Math.sqrt(squares / DRAWS - (sum / DRAWS) ** 2);
    expect(Math.abs(deviation - config.boxJitter * 100), `σ ${deviation}`).toBeLessThan(0.05 * config.boxJitter * 100);
  });

  it('draws latencies log-normally around the configured median', () => {
    const slow = createNoiseModel({ ...config, latency: { medianMs: 100, sigma: 0.5 } });
    const samples = Array.from({ length: DRAWS }, (_, seed) => slow.latencyMs(createRng(seed))).sort((a, b) => a - b);
    const median = samples[DRAWS / 2] ?? 0;
    expect(Math.abs(median - 100), `median ${median}`).toBeLessThan(3);
    const logs = samples.map((value) => Math.log(value / 100));
    const deviation = Math.sqrt(logs.reduce((sum, value) => sum + value * value, 0) / DRAWS);
    expect(Math.abs(deviation - 0.5), `log σ ${deviation}`).toBeLessThan(0.02);
  });

  it('makes no error of any kind with the oracle preset', () => {
    const oracle = createNoiseModel(NOISE_PRESETS.oracle);
    const hardest: Difficulty = { steps: 5, occluded: true, targetAreaFraction: 0, sameCategoryDistractors: 5 };
    for (let seed = 0; seed < 2000; seed += 1) {
      const rng = createRng(seed);
      for (const role of ['planner', 'judge', 'verifier', 'vqa'] as const) expect(oracle.misreads(rng, role, hardest)).toBe(false);
      expect(oracle.perCallError(rng)).toBe(false);
      expect(oracle.judgePair(rng, [0.9, 0.5], [10, 1000])).toBe('A');
      expect(oracle.judgePair(rng, [0.7, 0.7], [100, 100]), 'equal masks: a tie').toBe('tie');
      expect(oracle.perceptionNoise(rng, 'verifier')).toBe(0);
      expect(oracle.hallucination(rng)).toBe(false);
      expect(oracle.vqaTrap(rng, false)).toBe(false);
      expect(oracle.malformed(rng)).toBeUndefined();
      expect(oracle.failure(rng)).toBeUndefined();
      expect(oracle.latencyMs(rng)).toBe(0);
      expect(oracle.boxJitter(rng, 100)).toBe(0);
    }
  });

  it('breaks JSON the three ways models do', () => {
    const json = '{"answer":"yes"}';
    expect(malformJson(json, 'fence')).toBe('```json\n{"answer":"yes"}\n```');
    expect(malformJson(json, 'prose')).toContain(json);
    expect(() => JSON.parse(malformJson(json, 'truncated'))).toThrow();
  });
});

describe('sim config', () => {
  it('applies nested overrides to a preset and keeps the other knobs', () => {
    const config = resolveSimConfig({ preset: 'weak', seed: 3, noise: { judging: { positionBias: 0.9 } } });
    expect(config.noise.judging.positionBias).toBe(0.9);
    expect(config.noise.judging.unsureMargin).toBe(NOISE_PRESETS.weak.judging.unsureMargin);
    expect(config.seed).toBe(3);
    expect(config.profile).toBe('qwen2.5-vl');
  });

  it('rejects unknown knobs, out-of-range rates and unknown presets with config-invalid', () => {
    expect(() => resolveSimConfig({ noise: { judging: { bias: 1 } } })).toThrow(/invalid noise override/);
    expect(() => resolveSimConfig({ noise: { hallucinationRate: 2 } })).toThrow(/invalid noise override/);
    expect(() => resolveSimConfig({ preset: 'genius' })).toThrow(/invalid sim config/);
    expect(NOISE_PRESET_NAMES).toEqual(['oracle', 'paper-like', 'weak', 'adversarial']);
  });
});
