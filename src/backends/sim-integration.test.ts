/**
 * End-to-end: the backends' real clients against the SynthWorld SIMULATED servers over loopback sockets.
 * (Test-only import of src/sim, which itself builds on backends' protocol schemas.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../core/index.js';
import type { CallRecord } from '../core/index.js';
import { canonicalPhrase, generateScene, renderScene, resolveSimConfig, startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { createOpenAIEmbedder } from './embedders.js';
import { lexicalTextEmbedding } from '../protocols/index.js';
import { createOpenAICompatibleClient } from './openai-client.js';
import { getProfile } from '../protocols/index.js';
import { createResponseCache } from './response-cache.js';
import { createSam3Segmenter } from './sam3-segmenter.js';

const scene = generateScene(41, { width: 320, height: 240 });
const rendered = renderScene(scene);

let segmenterServer: SimSegmenterServer;
let mllmServer: SimMllmServer;
let embeddingsServer: SimEmbeddingsServer;

beforeAll(async () => {
  segmenterServer = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const faulty = resolveSimConfig({
    preset: 'oracle',
    noise: { failures: { rate429: 0.15, rate500: 0.1, stallRate: 0.05, stallMs: 5000 }, malformed: { rate: 0.3 } },
  });
  mllmServer = await startSimMllmServer({ port: 0, host: '127.0.0.1', config: faulty });
  embeddingsServer = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all([segmenterServer.close(), mllmServer.close(), embeddingsServer.close()]);
});

async function segmenterMetrics(): Promise<{ imageEncodes: number; prompts: number }> {
  return (await (await fetch(`${segmenterServer.url}/metrics`)).json()) as { imageEncodes: number; prompts: number };
}

describe('backends against the simulated servers', () => {
  it('costs the simulated SAM 3 one image encode per concept_segment request, however many prompts it carries (its /metrics)', async () => {
    const segmenter = createSam3Segmenter({ baseURL: segmenterServer.url });
    const before = await segmenterMetrics();
    const prepared = await segmenter.prepare(rendered.image);
    const phrases = rendered.objects.map((_object, index) => canonicalPhrase(rendered.objects, index));
    const single = await Promise.all(phrases.map((phrase) => segmenter.segmentText(prepared, phrase)));
    const middle = await segmenterMetrics();
    expect(middle.imageEncodes - before.imageEncodes, 'one encode per single-prompt request').toBe(phrases.length);
    // Oracle preset: the canonical phrase of an object returns at least one instance.
    expect(single.every((result) => result.instances.length > 0)).toBe(true);
    const batched = await segmenter.segmentPrompts(prepared, phrases.map((text) => ({ kind: 'text' as const, text })));
    const after = await segmenterMetrics();
    expect(after.imageEncodes - middle.imageEncodes, 'one encode for the whole batch').toBe(Math.ceil(phrases.length / 16));
    expect(after.prompts - middle.prompts).toBe(phrases.length);
    expect(batched.map((result) => result.instances[0]?.box)).toEqual(single.map((result) => result.instances[0]?.box));
  });

  it('round-trips structured output through 429/500/stalls/malformed answers without losing a request', async () => {
    const records: CallRecord[] = [];
    const client = createOpenAICompatibleClient({
      baseURL: `${mllmServer.url}/v1`,
      model: mllmServer.modelId,
      profile: getProfile('qwen2.5-vl'),
      timeoutMs: 1000,
      maxRetries: 10,
      retryBaseDelayMs: 5,
      onCall: (record) => records.push(record),
    });
    const query = canonicalPhrase(rendered.objects, 0);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_unused, index) =>
        client.chat({
          messages: [{ role: 'user', content: `Query: ${query}` }],
          images: [rendered.image],
          schema: { name: 'plan_phrases', schema: taskResponseSchema('plan_phrases') },
          seed: index,
          temperature: 0.7,
          stage: 'plan',
        }),
      ),
    );
    expect(answers.every((answer) => Array.isArray(answer.value.phrases))).toBe(true);
    const faults = mllmServer.metrics.rateLimited + mllmServer.metrics.serverErrors + mllmServer.metrics.stalls;
    expect(faults, 'the simulated server injected faults').toBeGreaterThan(0);
    expect(records.reduce((total, record) => total + record.retries, 0)).toBeGreaterThanOrEqual(faults);
  });

  it('serves a seeded rerun from the cache without a single request', async () => {
    const cache = createResponseCache(':memory:');
    const client = createOpenAICompatibleClient({ baseURL: `${mllmServer.url}/v1`, model: mllmServer.modelId, timeoutMs: 1000, maxRetries: 10, retryBaseDelayMs: 5, cache });
    const request = {
      messages: [{ role: 'user' as const, content: `Query: ${canonicalPhrase(rendered.objects, 1)}` }],
      images: [rendered.image],
      schema: { name: 'plan_phrases', schema: taskResponseSchema('plan_phrases') },
      temperature: 0,
    };
    const first = await client.chat(request);
    const requestsBefore = mllmServer.metrics.requests;
    const second = await client.chat(request);
    expect(mllmServer.metrics.requests).toBe(requestsBefore);
    expect(second.value).toEqual(first.value);
    cache.close();
  });

  it('gets the offline lexical vectors the simulated embeddings server serves', async () => {
    const embedder = createOpenAIEmbedder({ baseURL: `${embeddingsServer.url}/v1`, model: 'sim-embedding' });
    const [vector] = await embedder.embedTexts(['a red circle']);
    const expected = lexicalTextEmbedding('a red circle', vector?.length ?? 256);
    expect(Array.from(vector ?? []).map((value) => value.toFixed(5))).toEqual(Array.from(expected).map((value) => value.toFixed(5)));
    const [imageVector] = await embedder.embedImages([rendered.image]);
    expect(imageVector?.length).toBeGreaterThan(0);
  });
});
