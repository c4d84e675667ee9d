import { describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { createRecordingEmbedder, createRecordingMllmClient, createRecordingSegmenter } from './recording-mocks.js';

const image: RgbImage = { width: 2, height: 1, data: new Uint8Array(6) };

describe('recording mocks', () => {
  it('parses scripted MLLM text with the request schema and records each request', async () => {
    const client = createRecordingMllmClient((_request, index) => (index === 0 ? '```json\n{"answer": "yes"}\n```' : 'gibberish'));
    const request = { messages: [{ role: 'user' as const, content: 'Query: x' }], schema: { name: 'verify_mask', schema: taskResponseSchema('verify_mask') } };
    expect((await client.chat(request)).value).toEqual({ answer: 'yes' });
    await expect(client.chat(request)).rejects.toMatchObject({ code: 'invalid-model-output' });
    expect(client.calls).toHaveLength(2);
  });

  it('prepares each image once and records text and box prompts', async () => {
    const segmenter = createRecordingSegmenter(() => []);
    await segmenter.segmentText(image, 'cup');
    await segmenter.segmentBoxes(image, [[0, 0, 1, 1]], [true]);
    expect(segmenter.prepared).toHaveLength(1);
    expect(segmenter.calls.map((call) => call.kind)).toEqual(['text', 'boxes']);
  });

  it('records embedder inputs and labels the vectors lexical-perceptual', async () => {
    const embedder = createRecordingEmbedder(16);
    const [vector] = await embedder.embedTexts(['red cup']);
    expect(vector).toHaveLength(16);
    expect(embedder.texts).toEqual(['red cup']);
    expect(embedder.kind).toBe('lexical-perceptual');
  });
});
