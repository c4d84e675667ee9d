import { describe, expect, it } from 'vitest';
import { createRng } from '../world/index.js';
import { NOISE_PRESETS, NOISE_PRESET_NAMES } from './config.js';
import { createNoiseModel, malformJson } from './noise-model.js';
import { resolveSimConfig } from './resolve.js';

const DRAWS = 20_000;
/** 4 binomial standard deviations at p = 0.5 and 20,000 draws is 0.014; we allow 0.015. */
const TOLERANCE = 0.015;

function measure(draw: (seed: number) => boolean): number {
  let hits = 0;
  for (let seed = 0; seed < DRAWS; seed += 1) if (draw(seed)) hits += 1;
  return hits / DRAWS;
}

describe('noise model', () => {
  const model = createNoiseModel(NOISE_PRESETS['paper-like']);
  const config = model.config;

  it('makes generation errors at base + perStep·steps, within tolerance', () => {
    for (const steps of [0, 1, 2, 3]) {
      const expected = config.generation.baseErrorRate + config.generation.perStepErrorRate * steps;
      const measured = measure((seed) => model.generationError(createRng(seed), steps));
      expect(Math.abs(measured - expected), `steps ${steps}: measured ${measured} vs ${expected}`).toBeLessThan(TOLERANCE);
    }
  });

  it('lowers the generation error by the relevant-lesson factor only when a lesson addresses the trap', () => {
    const measured = measure((seed) => model.generationError(createRng(seed), 3, true));
    const expected = model.generationErrorRate(3) * config.relevantLessonFactor;
    expect(Math.abs(measured - expected), `${measured} vs ${expected}`).toBeLessThan(TOLERANCE);
    expect(model.generationErrorRate(3, false)).toBe(model.generationErrorRate(3));
  });

  it('errs less when verifying and judging than when generating', () => {
    const verification = measure((seed) => model.verificationError(createRng(seed)));
    const unsure = measure((seed) => model.unsureJudgement(createRng(seed)) !== undefined);
    expect(Math.abs(verification - config.verification.errorRate)).toBeLessThan(TOLERANCE);
    expect(Math.abs(unsure - config.judging.unsureRate)).toBeLessThan(TOLERANCE);
    expect(verification).toBeLessThan(model.generationErrorRate(1));
  });

  it('prefers the first overlay with the configured position bias when unsure', () => {
    let unsure = 0;
    let first = 0;
    for (let seed = 0; seed < DRAWS * 5; seed += 1) {
      const pick = model.unsureJudgement(createRng(seed));
      if (pick === undefined) continue;
      unsure += 1;
      if (pick === 'A') first += 1;
    }
    expect(unsure, 'enough unsure draws to measure').toBeGreaterThan(1000);
    expect(Math.abs(first / unsure - config.judging.positionBias), `${first / unsure}`).toBeLessThan(0.04);
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

  it('falls into VQA traps at the trap rate, less often with a relevant lesson', () => {
    const trap = measure((seed) => model.vqaError(createRng(seed), true, false) === 'trap');
    const helped = measure((seed) => model.vqaError(createRng(seed), true, true) === 'trap');
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
    for (let seed = 0; seed < 2000; seed += 1) {
      const rng = createRng(seed);
      expect(oracle.generationError(rng, 3)).toBe(false);
      expect(oracle.verificationError(rng)).toBe(false);
      expect(oracle.unsureJudgement(rng)).toBeUndefined();
      expect(oracle.hallucination(rng)).toBe(false);
      expect(oracle.vqaError(rng, true, false)).toBeUndefined();
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
    expect(config.noise.judging.unsureRate).toBe(NOISE_PRESETS.weak.judging.unsureRate);
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
