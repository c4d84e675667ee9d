import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIEmbedder } from '../../backends/index.js';
import { cosineSimilarity } from '../../core/index.js';
import { lexicalTextEmbedding, perceptualImageEmbedding } from '../../protocols/index.js';
import { SIM_EMBEDDING_MODEL, startSimEmbeddingsServer } from './embeddings-server.js';
import type { SimEmbeddingsServer } from './embeddings-server.js';
import { pngDataUrl, sceneFixture } from './test-support.js';

let server: SimEmbeddingsServer;

beforeAll(async () => {
  server = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
});

describe('simulated embeddings server', () => {
  it('serves the offline text vectors through the official OpenAI SDK, deterministically', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'simulated', maxRetries: 0 });
    const texts = ['count the hidden circles', 'left means the viewer left'];
    const first = await client.embeddings.create({ model: SIM_EMBEDDING_MODEL, input: texts, encoding_format: 'float' });
    const second = await client.embeddings.create({ model: SIM_EMBEDDING_MODEL, input: texts, encoding_format: 'float' });
    expect(first.data.map((item) => item.embedding)).toEqual(second.data.map((item) => item.embedding));
    const expected = lexicalTextEmbedding(texts[0] ?? '');
    expect(cosineSimilarity(Float32Array.from(first.data[0]?.embedding ?? []), expected)).toBeCloseTo(1, 6);
  });

  it('reads a data URL in `input` as text, as vLLM does (images come only through messages), in float or base64', async () => {
    const { rendered } = sceneFixture(51);
    const dataUrl = await pngDataUrl(rendered.image);
    const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: SIM_EMBEDDING_MODEL, imageInput: 'data-url', maxRetries: 0 });
    const [vector] = await embedder.embedImages([rendered.image]);
    expect(cosineSimilarity(vector ?? new Float32Array(0), perceptualImageEmbedding(rendered.image)), 'not embedded as the image').toBeLessThan(0.9);
    const asText = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: SIM_EMBEDDING_MODEL, input: dataUrl }) });
    const textJson = (await asText.json()) as { data: { embedding: number[] }[] };
    expect(cosineSimilarity(Float32Array.from(textJson.data[0]?.embedding ?? []), lexicalTextEmbedding(dataUrl)), 'a string input is text').toBeCloseTo(1, 6);
    const response = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: SIM_EMBEDDING_MODEL, input: [dataUrl], encoding_format: 'base64' }),
    });
    const json = (await response.json()) as { data: { embedding: string }[] };
    const decoded = new Float32Array(Uint8Array.from(Buffer.from(json.data[0]?.embedding ?? '', 'base64')).buffer);
    expect(decoded.length).toBe(256);
  });

  it('answers vLLM-style messages (the embedder\'s default for images) with one vector, the image embedding when an image is attached', async () => {
    const { rendered } = sceneFixture(52);
    const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: SIM_EMBEDDING_MODEL, maxRetries: 0 });
    const [vector] = await embedder.embedImages([rendered.image]);
    expect(cosineSimilarity(vector ?? new Float32Array(0), perceptualImageEmbedding(rendered.image))).toBeCloseTo(1, 5);
  });

  it('rejects a missing input with 400 and an unknown model with 404', async () => {
    const missing = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: SIM_EMBEDDING_MODEL }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('input');
    const unknown = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'text-embedding-3-large', input: 'x' }) });
    expect(unknown.status).toBe(404);
  });
});
