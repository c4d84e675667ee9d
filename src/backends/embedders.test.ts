import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { startFakeServer } from './__tests__/fake-servers.js';
import type { FakeServer } from './__tests__/fake-servers.js';
import { createOfflineEmbedder, createOpenAIEmbedder } from './embedders.js';
import { lexicalTextEmbedding } from '../protocols/index.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Answers /v1/embeddings with [length of input, index] per input, in reversed order (index must be honoured). */
async function embeddingsServer(failFirst = false): Promise<FakeServer> {
  const server = await startFakeServer((body, index) => {
    if (failFirst && index === 0) return { status: 503, json: { error: 'warming up' } };
    const inputs = (body as { input?: string[]; messages?: unknown[] }).input ?? ['message'];
    const data = inputs.map((input, position) => ({ object: 'embedding', index: position, embedding: [input.length, position] }));
    return { json: { object: 'list', data: data.reverse(), model: 'fake-embed', usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } } };
  });
  servers.push(server);
  return server;
}

const tiny: RgbImage = { width: 2, height: 2, data: new Uint8Array(12).fill(200) };

describe('createOpenAIEmbedder', () => {
  it('batches texts, keeps input order by index and labels itself semantic', async () => {
    const server = await embeddingsServer();
    const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: 'fake-embed', batchSize: 2 });
    const vectors = await embedder.embedTexts(['a', 'bbb', 'cc', 'dddd', 'e']);
    expect(vectors.map((vector) => vector[0])).toEqual([1, 3, 2, 4, 1]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((request) => request.path === '/v1/embeddings')).toBe(true);
    expect(embedder.kind).toBe('semantic');
  });

  it('sends images as PNG data URLs in input only when imageInput names data-url, and retries a 503', async () => {
    const server = await embeddingsServer(true);
    const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: 'fake-embed', imageInput: 'data-url', retryBaseDelayMs: 1 });
    const [vector] = await embedder.embedImages([tiny]);
    expect(vector).toBeInstanceOf(Float32Array);
    const input = (server.requests[1]?.body as { input: string[] }).input;
    expect(input[0]?.startsWith('data:image/png;base64,')).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('sends one chat-style messages request per image by default (vLLM EmbeddingChatRequest), never the image in input', async () => {
    const server = await embeddingsServer();
    const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: 'fake-embed' });
    await embedder.embedImages([tiny, tiny]);
    expect(server.requests).toHaveLength(2);
    const body = server.requests[0]?.body as { messages: { content: { type: string; image_url?: { url: string } }[] }[]; input?: unknown };
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]?.content[0]?.image_url?.url.startsWith('data:image/png;base64,')).toBe(true);
    expect(body.input, 'no image in input').toBeUndefined();
  });
});

describe('createOfflineEmbedder', () => {
  it('is labelled lexical-perceptual and returns the offline functions’ vectors', async () => {
    const embedder = createOfflineEmbedder(64);
    expect(embedder.kind).toBe('lexical-perceptual');
    const [vector] = await embedder.embedTexts(['red car']);
    expect(Array.from(vector ?? [])).toEqual(Array.from(lexicalTextEmbedding('red car', 64)));
    const [imageVector] = await embedder.embedImages([tiny]);
    expect(imageVector).toHaveLength(64);
  });
});
