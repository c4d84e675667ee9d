/**
 * The simulated servers driven by mmevolve's own backend clients (JPEG q90, images resized to the
 * profile frame, response_format json_schema, SAM 3 prepare + image_id): what the engines will see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleClient, createOpenAIEmbedder, createSam3Segmenter } from '../../backends/index.js';
import { getProfile } from '../../protocols/index.js';
import { taskResponseSchema, taskSystemLine } from '../../core/index.js';
import { canonicalPhrase, phraseToSpec, resolveQuery } from '../world/index.js';
import { SIM_EMBEDDING_MODEL } from './embeddings-server.js';
import type { SimEmbeddingsServer } from './embeddings-server.js';
import type { SimMllmServer } from './mllm-server.js';
import type { SimSegmenterServer } from './segmenter-server.js';
import { startSimStack } from './sim-stack.js';
import type { SimStack } from './sim-stack.js';
import { blendOverlay, sceneFixture } from './test-support.js';

let stack: SimStack;
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;
let embeddings: SimEmbeddingsServer;

beforeAll(async () => {
  stack = await startSimStack({ preset: 'oracle' });
  ({ mllm, segmenter, embeddings } = stack);
});

afterAll(async () => {
  await stack.close();
});

describe('simulated servers through the backends clients', () => {
  it('plans, verifies and boxes through the OpenAI-compatible client (JPEG, profile-resized images)', async () => {
    const profile = getProfile('qwen2.5-vl');
    const client = createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile, maxRetries: 0 });
    expect(await client.listModels()).toEqual([mllm.modelId]);
    let planned = 0;
    const scenes = 8;
    for (let seed = 200; seed < 200 + scenes; seed += 1) {
      const { rendered, query } = sceneFixture(seed);
      const result = await client.chat({
        messages: [{ role: 'system', content: taskSystemLine('plan_phrases') }, { role: 'user', content: `Query: ${query.query}` }],
        images: [rendered.image],
        schema: { name: 'plan_phrases', schema: taskResponseSchema('plan_phrases') },
        cache: false,
      });
      const phrase = result.value.phrases[0] ?? '';
      if (resolveQuery(phraseToSpec(phrase) ?? { target: {} }, rendered.objects)[0] === query.targetIndex) planned += 1;
    }
    expect(planned, 'phrases resolving to the target').toBeGreaterThanOrEqual(scenes - 1);

    const { rendered, query } = sceneFixture(210);
    const target = query.targetIndex ?? 0;
    const overlay = blendOverlay(rendered.image, rendered.instanceMasks[target] ?? rendered.labels);
    const verdict = await client.chat({
      messages: [{ role: 'user', content: `Query: ${query.query}\nImage roles: raw, overlay` }],
      images: [rendered.image, overlay],
      schema: { name: 'verify_mask', schema: taskResponseSchema('verify_mask') },
      cache: false,
    });
    expect(verdict.value.answer).toBe('yes');
    const boxed = await client.chat({
      messages: [{ role: 'user', content: `Query: ${query.query}` }],
      images: [rendered.image],
      schema: { name: 'predict_box', schema: taskResponseSchema('predict_box') },
      cache: false,
    });
    const modelBox = boxed.value.boxes[0]?.bbox_2d ?? [0, 0, 0, 0];
    const box = profile.fromModelBox(modelBox, rendered.image);
    const truth = rendered.objects[target]?.box ?? [0, 0, 0, 0];
    box.forEach((value, index) => expect(Math.abs(value - (truth[index] ?? 0)), `box coordinate ${index}`).toBeLessThanOrEqual(3));
  });

  it('segments through the SAM 3 client with one image encode for many prompts sent as one batch', async () => {
    const client = createSam3Segmenter({ baseURL: segmenter.url, maxRetries: 0 });
    const { rendered } = sceneFixture(211);
    const before = segmenter.metrics.imageEncodes;
    const visible = [...rendered.instanceMasks.keys()].filter((index) => rendered.objects[index]?.occluded !== true);
    const results = await client.segmentPrompts(await client.prepare(rendered.image), visible.map((index) => ({ kind: 'text' as const, text: canonicalPhrase(rendered.objects, index) })));
    visible.forEach((index, position) => {
      const truth = rendered.instanceMasks[index];
      const result = results[position];
      const mask = result?.instances[0]?.mask;
      expect(result?.instances, `object ${index}`).toHaveLength(1);
      expect(mask?.data.every((value, pixel) => (value !== 0) === (truth?.data[pixel] === 1)), `mask of object ${index}`).toBe(true);
    });
    expect(segmenter.metrics.imageEncodes - before, 'one concept_segment request, one encode').toBe(Math.ceil(visible.length / 16));
  });

  it('embeds texts and images through the OpenAI-compatible embedder', async () => {
    const embedder = createOpenAIEmbedder({ baseURL: `${embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, maxRetries: 0 });
    const [text] = await embedder.embedTexts(['hidden circles count too']);
    expect(text?.length).toBe(256);
  });
});
