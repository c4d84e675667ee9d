import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sam3ConceptSegmentResponseSchema, sam3EmbedImageResponseSchema } from '../../protocols/index.js';
import type { Mask } from '../../core/index.js';
import { decodeRle } from '../../vision/index.js';
import { canonicalPhrase } from '../world/index.js';
import { resolveSimConfig } from '../noise/index.js';
import { startSimSegmenterServer } from './segmenter-server.js';
import type { SimSegmenterServer } from './segmenter-server.js';
import { pngBase64, sceneFixture } from './test-support.js';

let server: SimSegmenterServer;

beforeAll(async () => {
  server = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
});

afterAll(async () => {
  await server.close();
});

async function post(path: string, payload: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
}

async function segment(payload: unknown): Promise<ReturnType<typeof sam3ConceptSegmentResponseSchema.parse>> {
  const response = await post('/sam3/concept_segment', payload);
  expect(response.status).toBe(200);
  return sam3ConceptSegmentResponseSchema.parse(await response.json());
}

function masksOf(result: ReturnType<typeof sam3ConceptSegmentResponseSchema.parse>, promptIndex = 0): Mask[] {
  const predictions = result.prompt_results[promptIndex]?.predictions ?? [];
  return predictions.map((prediction) => {
    if (Array.isArray(prediction.masks)) throw new Error('expected RLE masks');
    return decodeRle(prediction.masks);
  });
}

function sameMask(a: Mask | undefined, b: Mask | undefined): boolean {
  return a !== undefined && b !== undefined && a.data.length === b.data.length && a.data.every((value, index) => value === b.data[index]);
}

describe('simulated SAM 3 segmenter', () => {
  it('returns the exact ground-truth mask for the canonical phrase of every fully visible object (oracle)', async () => {
    const { rendered, query } = sceneFixture(41);
    const image = { type: 'base64', value: await pngBase64(rendered.image) };
    const target = query.targetIndex ?? 0;
    const phrase = canonicalPhrase(rendered.objects, target);
    const result = await segment({ image, prompts: [{ type: 'text', text: phrase }], format: 'rle' });
    const masks = masksOf(result);
    expect(masks, `"${phrase}" gives one instance`).toHaveLength(1);
    expect(sameMask(masks[0], rendered.instanceMasks[target]), `mask of "${phrase}" equals ground truth`).toBe(true);
    expect(result.prompt_results[0]?.predictions[0]?.confidence).toBeGreaterThan(0.85);
  });

  it('encodes once per concept_segment request as the Roboflow server does, ignoring image_id, and counts per route', async () => {
    const { rendered } = sceneFixture(42);
    const value = await pngBase64(rendered.image);
    type Metrics = { imageEncodes: number; prompts: number; requests: number; routes: Record<string, { imageEncodes: number; prompts: number; requests: number }> };
    const read = async (): Promise<Metrics> => (await (await fetch(`${server.url}/metrics`)).json()) as Metrics;
    const before = await read();
    // embed_image belongs to the interactive model: its cache is not read by concept_segment.
    const embedded = sam3EmbedImageResponseSchema.parse(await (await post('/sam3/embed_image', { image: { type: 'base64', value } })).json());
    await segment({ image: { type: 'base64', value }, image_id: embedded.image_id, prompts: [{ text: 'circle' }, { text: 'object' }], format: 'rle' });
    await segment({ image: { type: 'base64', value }, image_id: embedded.image_id, prompts: [{ text: 'star' }], format: 'rle' });
    const after = await read();
    const concept = (metrics: Metrics) => metrics.routes['/sam3/concept_segment'] ?? { imageEncodes: 0, prompts: 0, requests: 0 };
    const embed = (metrics: Metrics) => metrics.routes['/sam3/embed_image'] ?? { imageEncodes: 0, prompts: 0, requests: 0 };
    expect(concept(after).imageEncodes - concept(before).imageEncodes, 'one encode per concept_segment request').toBe(2);
    expect(concept(after).prompts - concept(before).prompts).toBe(3);
    expect(embed(after).imageEncodes - embed(before).imageEncodes, 'embed_image encodes for the interactive model').toBe(1);
    expect(after.imageEncodes - before.imageEncodes, 'totals add the routes up').toBe(3);
    expect(after.requests - before.requests).toBe(3);
  });

  it('answers a prompt the same alone or batched with others', async () => {
    const { rendered } = sceneFixture(47);
    const image = { type: 'base64', value: await pngBase64(rendered.image) };
    const alone = await segment({ image, prompts: [{ text: 'circle' }], format: 'rle' });
    const batched = await segment({ image, prompts: [{ text: 'square' }, { text: 'circle' }], format: 'rle' });
    expect(batched.prompt_results[1]?.predictions).toEqual(alone.prompt_results[0]?.predictions);
  });

  it('reports the CPU seconds its process has used in /metrics, growing with work, and says it is simulated', async () => {
    const read = async (): Promise<{ cpuSeconds: number; simulated: boolean }> => (await (await fetch(`${server.url}/metrics`)).json()) as { cpuSeconds: number; simulated: boolean };
    const before = await read();
    const { rendered } = sceneFixture(45);
    await segment({ image: { type: 'base64', value: await pngBase64(rendered.image) }, prompts: [{ text: 'circle' }], format: 'rle' });
    const after = await read();
    expect(before.simulated).toBe(true);
    expect(before.cpuSeconds).toBeGreaterThan(0);
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
  });

  it('returns many low-confidence instances for a vague prompt and none for nonsense', async () => {
    const { rendered } = sceneFixture(43);
    const image = { type: 'base64', value: await pngBase64(rendered.image) };
    const result = await segment({ image, prompts: [{ text: 'object' }, { text: 'quantum umbrella' }], format: 'rle', output_prob_thresh: 0.3 });
    expect(result.prompt_results[0]?.predictions.length).toBeGreaterThanOrEqual(Math.min(3, rendered.objects.length));
    expect(Math.max(...(result.prompt_results[0]?.predictions ?? []).map((prediction) => prediction.confidence))).toBeLessThan(0.85);
    expect(result.prompt_results[1]?.predictions).toEqual([]);
  });

  it('returns the boxed object and every instance like it (same colour and shape) for a box exemplar', async () => {
    let checked = 0;
    for (let seed = 44; seed < 140 && checked < 2; seed += 1) {
      const { rendered } = sceneFixture(seed);
      const target = rendered.objects.findIndex((object, index) =>
        rendered.objects.some((other, otherIndex) => otherIndex !== index && other.colour === object.colour && other.shape === object.shape),
      );
      if (target < 0) continue;
      const object = rendered.objects[target];
      if (object === undefined || object.occluded) continue;
      const box = object.box;
      const image = { type: 'base64', value: await pngBase64(rendered.image) };
      const result = await segment({ image, prompts: [{ type: 'visual', boxes: [{ x0: box[0], y0: box[1], x1: box[2], y1: box[3] }], box_labels: [1] }], format: 'rle' });
      const masks = masksOf(result);
      const alike = rendered.objects.filter((other) => other.colour === object.colour && other.shape === object.shape).length;
      expect(masks.length, `seed ${seed}: the exemplar's look-alikes come back too`).toBe(alike);
      expect(masks.some((mask) => sameMask(mask, rendered.instanceMasks[target])), `seed ${seed}: the boxed object itself`).toBe(true);
      checked += 1;
    }
    expect(checked, 'scenes with a same-class distractor were found').toBe(2);
  });

  it('answers format polygon (the protocol default) with outer contours that validate against the schema', async () => {
    const { rendered, query } = sceneFixture(46);
    const target = query.targetIndex ?? 0;
    const image = { type: 'base64', value: await pngBase64(rendered.image) };
    const result = await segment({ image, prompts: [{ text: canonicalPhrase(rendered.objects, target) }] });
    const masks = result.prompt_results[0]?.predictions[0]?.masks;
    expect(Array.isArray(masks), 'polygon masks').toBe(true);
    expect(result.prompt_results[0]?.predictions[0]?.format).toBe('polygon');
  });

  it('rejects malformed requests with 422 validation details: no image (image_id alone is not enough), no prompts, more than 16', async () => {
    const missing = await post('/sam3/concept_segment', { prompts: [] });
    expect(missing.status).toBe(422);
    const body = (await missing.json()) as { detail: { loc: string[]; msg: string }[] };
    expect(body.detail[0]?.loc[0]).toBe('body');
    const idOnly = await post('/sam3/concept_segment', { image_id: 'nope', prompts: [{ text: 'circle' }], format: 'rle' });
    expect(idOnly.status, 'the concept model needs the image in every request').toBe(422);
    const { rendered } = sceneFixture(48);
    const tooMany = await post('/sam3/concept_segment', { image: { type: 'base64', value: await pngBase64(rendered.image) }, prompts: Array.from({ length: 17 }, () => ({ text: 'circle' })) });
    expect(tooMany.status, 'SAM3_MAX_PROMPT_BATCH_SIZE is 16').toBe(422);
  });

  it('misses, adds and disturbs instances under noise while the oracle is exact', async () => {
    const noisy = await startSimSegmenterServer({
      config: resolveSimConfig({ preset: 'oracle', noise: { segmenter: { missRate: 0.5, spuriousRate: 0, boundaryRate: 1, boundaryPixels: 2, scoreNoise: 0 } } }),
    });
    try {
      const { rendered } = sceneFixture(45);
      const image = { type: 'base64', value: await pngBase64(rendered.image) };
      let kept = 0;
      let exact = 0;
      // Concept prompts that name exactly one object each (a colour + shape no other object has); 0.5 keeps
      // look-alikes' low-scored instances out.
      const lone = rendered.objects.flatMap((object, index) =>
        rendered.objects.filter((other) => other.colour === object.colour && other.shape === object.shape).length === 1 ? [index] : [],
      );
      expect(lone.length, 'scene 45 has objects a colour + shape names alone').toBeGreaterThan(3);
      const prompts = lone.map((index) => ({ text: `${rendered.objects[index]?.colour ?? ''} ${rendered.objects[index]?.shape ?? ''}` }));
      const response = await fetch(`${noisy.url}/sam3/concept_segment`, { method: 'POST', body: JSON.stringify({ image, prompts, format: 'rle', output_prob_thresh: 0.5 }) });
      const result = sam3ConceptSegmentResponseSchema.parse(await response.json());
      result.prompt_results.forEach((promptResult, position) => {
        kept += promptResult.predictions.length;
        if (sameMask(masksOf(result, position)[0], rendered.instanceMasks[lone[position] ?? -1])) exact += 1;
      });
      expect(kept, 'about half the instances are missed').toBeLessThan(lone.length);
      expect(exact, 'every kept mask has a disturbed boundary').toBe(0);
    } finally {
      await noisy.close();
    }
  });
});
