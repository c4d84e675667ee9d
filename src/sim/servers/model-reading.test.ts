import { describe, expect, it } from 'vitest';
import { createMask, isStructuredTask, taskResponseFormat } from '../../core/index.js';
import type { TaskName } from '../../core/index.js';
import { resolveSimConfig } from '../noise/index.js';
import type { SimConfig } from '../noise/index.js';
import { objectMask, perceiveObjects } from '../perception/index.js';
import { phraseToSpec, resolveQuery } from '../world/index.js';
import { createSimMllmApp } from './mllm-server.js';
import { overlayQuality } from './model-reading.js';
import { blendOverlay, pngDataUrl, sceneFixture } from './test-support.js';

async function askApp(config: SimConfig, task: TaskName, text: string, images: string[], systemExtra = ''): Promise<unknown> {
  const app = createSimMllmApp(config);
  const content = [...images.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text }];
  const messages = [{ role: 'system', content: `Task: ${task}${systemExtra}` }, { role: 'user', content }];
  const response = await app.app.request('/v1/chat/completions', {
    method: 'POST',
    body: JSON.stringify({ model: app.modelId, messages, ...(isStructuredTask(task) ? { response_format: taskResponseFormat(task) } : {}) }),
  });
  const answer = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
  return isStructuredTask(task) ? JSON.parse(answer) : answer;
}

describe('overlay quality as a simulated model perceives it', () => {
  it('is high for the believed object, zero for another one, and drops for a mask spilling onto the background', () => {
    const { rendered } = sceneFixture(21);
    const objects = perceiveObjects(rendered.image);
    const { width, height } = rendered.image;
    const first = objects[0];
    const second = objects[1];
    expect(first && second, 'two perceived objects').toBeTruthy();
    if (first === undefined || second === undefined) return;
    const exact = objectMask(width, height, Array.from(first.pixels));
    expect(overlayQuality(objects, exact, [0])).toBeCloseTo(1, 5);
    expect(overlayQuality(objects, objectMask(width, height, Array.from(second.pixels)), [0])).toBe(0);
    const both = objectMask(width, height, [...first.pixels, ...second.pixels]);
    expect(overlayQuality(objects, both, [0]), 'an extra object halves it').toBeCloseTo(0.5, 5);
    const spill = createMask(width, height);
    spill.data.set(exact.data);
    const [x1, y1] = [Math.max(0, first.box[0] - 20), Math.max(0, first.box[1] - 20)];
    const onObjects = new Set(objects.flatMap((object) => Array.from(object.pixels)));
    for (let y = y1; y < Math.min(height, first.box[3] + 20); y += 1) for (let x = x1; x < Math.min(width, first.box[2] + 20); x += 1) if (!onObjects.has(y * width + x)) spill.data[y * width + x] = 1;
    expect(overlayQuality(objects, spill, [0]), 'background in the mask').toBeLessThan(0.6);
    expect(overlayQuality(objects, createMask(width, height), []), 'nothing believed, nothing shown').toBe(1);
  });
});

describe('latent misreadings of the simulated MLLM', () => {
  // A planner that misreads half of the easy queries, to see misreadings often; no per-call noise.
  const misreading = (seed: number): SimConfig =>
    resolveSimConfig({ preset: 'oracle', seed, noise: { generation: { baseErrorRate: 0.5, difficultyWeight: 1 } } });

  it('keeps one misreading per (image, query) across calls and prompt wordings, and draws another with another server seed', async () => {
    let misread = 0;
    let differsAcrossSeeds = 0;
    for (let seed = 40; seed < 52; seed += 1) {
      const { rendered, query } = sceneFixture(seed, { noTargetRate: 0 });
      const image = await pngDataUrl(rendered.image);
      const objectOf = async (config: SimConfig, wording: string): Promise<number | undefined> => {
        const answer = (await askApp(config, 'plan_phrases', `Query: ${query.query}`, [image], wording)) as { phrases: string[] };
        const spec = phraseToSpec(answer.phrases[0] ?? '');
        return spec === null ? undefined : resolveQuery(spec, rendered.objects)[0];
      };
      const picks = await Promise.all(['', '\nBe concise.', '\nThink about the relations first.'].map((wording) => objectOf(misreading(1), wording)));
      expect(new Set(picks).size, `seed ${seed}: "${query.query}" → objects ${picks.join(', ')}`).toBe(1);
      if (picks[0] !== query.targetIndex) misread += 1;
      const otherSeeds = await Promise.all([2, 3, 4, 5].map((serverSeed) => objectOf(misreading(serverSeed), '')));
      if (otherSeeds.some((pick) => pick !== picks[0])) differsAcrossSeeds += 1;
    }
    expect(misread, 'some queries misread').toBeGreaterThan(0);
    expect(differsAcrossSeeds, 'the misreading is drawn per server seed, not fixed by the query').toBeGreaterThan(0);
  });

  it('shows the configured position bias on two overlays that look the same, which asking both orders exposes', async () => {
    const config = resolveSimConfig({ preset: 'paper-like', noise: { judging: { baseErrorRate: 0, difficultyWeight: 0, largerMaskRate: 0, perceptionNoise: 0 }, perCallErrorRate: 0, malformed: { rate: 0 } } });
    const bias = config.noise.judging.positionBias;
    let first = 0;
    let decisive = 0;
    for (let seed = 60; seed < 66; seed += 1) {
      const { rendered, query } = sceneFixture(seed, { noTargetRate: 0 });
      const target = rendered.instanceMasks[query.targetIndex ?? 0] ?? rendered.labels;
      const raw = await pngDataUrl(rendered.image);
      const overlay = await pngDataUrl(blendOverlay(rendered.image, target));
      // The same mask twice, asked with several wordings: any preference is the position's.
      for (const wording of Array.from({ length: 12 }, (_, index) => `\nRound ${index}.`)) {
        const verdict = (await askApp(config, 'judge_pair', `Query: ${query.query}\nImage roles: raw, overlay A, overlay B`, [raw, overlay, overlay], wording)) as { winner: string };
        if (verdict.winner === 'tie') continue;
        decisive += 1;
        if (verdict.winner === 'A') first += 1;
      }
    }
    expect(decisive, 'decisive verdicts on identical overlays').toBeGreaterThan(10);
    expect(Math.abs(first / decisive - bias), `first overlay won ${first} of ${decisive}, bias ${bias}`).toBeLessThan(0.1);
  });
});
