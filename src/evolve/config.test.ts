import { describe, expect, it } from 'vitest';
import { resolveEvolveConfig } from './config.js';
import { pythonListRepr } from './run-context.js';

describe('evolve config', () => {
  it('defaults to the published settings with every fix off', () => {
    const config = resolveEvolveConfig('published');
    expect(config.populationSize).toBe(4);
    expect(config.maxRefinements).toBe(3);
    expect(config.minInstancePixels).toBe(50);
    expect(config.gate).toEqual({ passAbove: 0.85, failBelow: 0.35, confirmedAbove: 0.6 });
    expect(config.arena).toMatchObject({ enabled: true, skipIou: 0.85, maxFights: 2, championWins: { champion: 1, challenger: -1 }, challengerWins: { champion: -2, challenger: 2 }, tie: 0, baseFitness: 10 });
    expect(config.stopping).toEqual({ minValid: 2, maxSpread: 3, topK: 3, minTopMeanIou: 0.95, maxGenerations: 2 });
    expect(config.variantCount, 'solver.py REFINE_TEMPLATE asks for "3 distinct noun phrases"').toBe(3);
    expect(config.final).toEqual({ output: 'hybrid', check: 'double', inconsistentFallback: { reasonseg: 'text', refcoco: 'box' } });
    expect(Object.values(config.fixes).every((value) => !value)).toBe(true);
  });

  it('turns every fix on in the improved preset and keeps the paper constants', () => {
    const config = resolveEvolveConfig('improved');
    expect(config.fixes).toEqual({
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
    });
    expect(config.gate.passAbove).toBe(0.85);
  });

  it('merges overrides into the preset key by key', () => {
    const config = resolveEvolveConfig('improved', { fixes: { encodeOnce: false }, arena: { maxFights: 3 } });
    expect(config.fixes.encodeOnce).toBe(false);
    expect(config.fixes.skipLastReproduction).toBe(true);
    expect(config.arena.maxFights).toBe(3);
    expect(config.arena.skipIou).toBe(0.85);
  });

  it('names the bad field of an invalid override', () => {
    expect(() => resolveEvolveConfig('published', { gate: { passAbove: 2 } }, 'my.json')).toThrow(/my\.json.*gate\.passAbove/);
    expect(() => resolveEvolveConfig('published', { populationSze: 4 })).toThrow(/populationSze|Unrecognized/);
  });
});

describe('published query line', () => {
  it('writes a Python list repr of the query variants', () => {
    expect(pythonListRepr(['the cup'])).toBe("['the cup']");
    expect(pythonListRepr(["the dog's bowl", 'a "quoted" word'])).toBe(`["the dog's bowl", 'a "quoted" word']`);
    expect(pythonListRepr(["it's \"both\""])).toBe(`['it\\'s "both"']`);
  });
});
