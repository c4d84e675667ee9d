/** End-to-end against the SIMULATED MLLM and SAM 3 servers on loopback (no model runs). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskArea, maskIou } from '../vision/index.js';
import { resolveEvolveConfig } from './config.js';
import { runSegmentation } from './run-segmentation.js';
import { simScene, startSimServers } from './__tests__/sim-backends.js';
import type { SimServers } from './__tests__/sim-backends.js';

let servers: SimServers;

beforeAll(async () => {
  servers = await startSimServers('oracle');
});

afterAll(async () => {
  await servers.close();
});

describe('evolveSegment against the simulated servers (oracle preset)', () => {
  it('returns the exact target mask on generated scenes, for both presets', async () => {
    const seeds = [1, 2, 3, 4, 5, 6].filter((seed) => simScene(seed).perceivable);
    expect(seeds.length, 'enough scenes the simulated perception reads correctly').toBeGreaterThanOrEqual(3);
    for (const seed of seeds.slice(0, 3)) {
      const scene = simScene(seed);
      expect(maskArea(scene.target), `scene ${seed} has a target`).toBeGreaterThan(0);
      for (const preset of ['published', 'improved'] as const) {
        const result = await runSegmentation('evol', scene.image, scene.query, { backends: servers.backends(), config: resolveEvolveConfig(preset), isSentence: scene.isSentence });
        expect(maskIou(result.mask, scene.target), `seed ${seed} ${preset}: "${scene.query}"`).toBe(1);
      }
    }
  });

  it('costs the segmenter one encode per generation with encodeOnce (a batch per generation, the box riding in the first), one per prompt without', async () => {
    const scene = simScene(7);
    const before = servers.segmenter.metrics.imageEncodes;
    const improved = await runSegmentation('evol', scene.image, scene.query, { backends: servers.backends(), config: resolveEvolveConfig('improved'), isSentence: scene.isSentence });
    const encodes = servers.segmenter.metrics.imageEncodes - before;
    expect(encodes, 'SIMULATED segmenter /metrics imageEncodes: one per concept_segment request').toBe(improved.counters.segmenterImageEncodes);
    // One more only when nothing passed the gate and the last planned phrase was segmented on its own.
    expect(encodes).toBeLessThanOrEqual(improved.counters.generations + (improved.trace.arbitration?.textFallback === true ? 1 : 0));
    expect(improved.counters.segmenterPrompts).toBeGreaterThan(encodes);
    const middle = servers.segmenter.metrics.imageEncodes;
    const published = await runSegmentation('evol', scene.image, scene.query, { backends: servers.backends(), config: resolveEvolveConfig('published'), isSentence: scene.isSentence });
    expect(servers.segmenter.metrics.imageEncodes - middle).toBe(published.counters.segmenterCalls);
    expect(published.counters.segmenterImageEncodes).toBe(published.counters.segmenterCalls);
  });

  it('runs every baseline end to end and finds the target with oracle models', async () => {
    const scene = simScene(5);
    for (const method of ['single', 'box', 'agent'] as const) {
      const result = await runSegmentation(method, scene.image, scene.query, { backends: servers.backends(), isSentence: scene.isSentence });
      expect(maskIou(result.mask, scene.target), `${method}: "${scene.query}"`).toBeGreaterThan(0.99);
      expect(result.calls.length).toBeGreaterThan(0);
    }
  });
});
