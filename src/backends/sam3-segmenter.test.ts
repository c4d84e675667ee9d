import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { startFakeServer } from './__tests__/fake-servers.js';
import type { FakeServer } from './__tests__/fake-servers.js';
import { sam3ConceptSegmentRequestSchema, sam3EmbedImageRequestSchema } from '../protocols/index.js';
import { createSam3Segmenter } from './sam3-segmenter.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const WIDTH = 12;
const HEIGHT = 8;
const image: RgbImage = { width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT * 3).fill(90) };

/** A rectangle mask x in [2, 6), y in [1, 4). */
function rectangle(): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(WIDTH * HEIGHT);
  for (let y = 1; y < 4; y += 1) for (let x = 2; x < 6; x += 1) data[y * WIDTH + x] = 1;
  return { width: WIDTH, height: HEIGHT, data };
}

/** Validates every request with the protocol schemas, as the real server's pydantic models would. */
async function sam3Server(): Promise<FakeServer> {
  const server = await startFakeServer((body, _index, path) => {
    if (path === '/sam3/embed_image') {
      const parsed = sam3EmbedImageRequestSchema.safeParse(body);
      return parsed.success ? { json: { image_id: 'img-1', time: 0.01 } } : { status: 422, json: { detail: parsed.error.message } };
    }
    const parsed = sam3ConceptSegmentRequestSchema.safeParse(body);
    if (!parsed.success) return { status: 422, json: { detail: parsed.error.message } };
    const rle = encodeRle(rectangle());
    const masks = parsed.data.format === 'rle' ? rle : [[[2, 1], [5, 1], [5, 3], [2, 3]]];
    return {
      json: {
        time: 0.02,
        prompt_results: parsed.data.prompts.map((prompt, index) => ({
          prompt_index: index,
          echo: { prompt_index: index, type: prompt.type ?? null, text: prompt.text ?? null, num_boxes: prompt.boxes?.length ?? 0 },
          predictions: [
            { masks, confidence: 0.6, format: parsed.data.format },
            { masks: parsed.data.format === 'rle' ? encodeRle({ width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT) }) : [], confidence: 0.9, format: parsed.data.format },
          ],
        })),
      },
    };
  });
  servers.push(server);
  return server;
}

describe('createSam3Segmenter', () => {
  it('embeds a prepared image once and reuses its image_id for every prompt', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, apiKey: 'secret key' });
    const prepared = await segmenter.prepare(image);
    for (const phrase of ['cup', 'red cup', 'cup on the left']) await segmenter.segmentText(prepared, phrase);
    await segmenter.segmentText(image, 'raw image again');
    await segmenter.segmentText(image, 'and again');
    const embeds = server.requests.filter((request) => request.path === '/sam3/embed_image');
    expect(embeds).toHaveLength(1);
    const segments = server.requests.filter((request) => request.path === '/sam3/concept_segment');
    expect(segments).toHaveLength(5);
    expect(segments.every((request) => (request.body as { image_id: string }).image_id === 'img-1')).toBe(true);
    expect(server.requests.every((request) => request.query['api_key'] === 'secret key')).toBe(true);
  });

  it('sends the API key as an Authorization bearer header instead of the query parameter when asked', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, apiKey: 'secret key', apiKeyIn: 'bearer' });
    await segmenter.segmentText(await segmenter.prepare(image), 'cup');
    expect(server.requests.length, 'an embed and a segment request').toBe(2);
    for (const request of server.requests) {
      expect(request.authorization, `${request.path} carries the key as a bearer token`).toBe('Bearer secret key');
      expect(request.query['api_key'], `${request.path} has no api_key in its URL`).toBeUndefined();
    }
  });

  it('decodes RLE instances, computes pixel-edge boxes and drops empty masks with a warning', async () => {
    const server = await sam3Server();
    const result = await createSam3Segmenter({ baseURL: server.url }).segmentText(image, 'cup', { threshold: 0.3 });
    expect(result.instances).toHaveLength(1);
    expect(result.instances[0]?.box).toEqual([2, 1, 6, 4]);
    expect(result.instances[0]?.score).toBe(0.6);
    expect(Array.from(result.instances[0]?.mask.data ?? [])).toEqual(Array.from(rectangle().data));
    expect(result.warnings.map((warning) => warning.code)).toEqual(['empty-mask']);
    expect((server.requests[1]?.body as { output_prob_thresh: number }).output_prob_thresh).toBe(0.3);
  });

  it('fills polygon output with the same pixels as the RLE output', async () => {
    const server = await sam3Server();
    const result = await createSam3Segmenter({ baseURL: server.url, format: 'polygon' }).segmentText(image, 'cup');
    expect(Array.from(result.instances[0]?.mask.data ?? [])).toEqual(Array.from(rectangle().data));
  });

  it('sends exemplar boxes as XYXY visual prompts with 1/0 labels', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, sendImageWithId: false });
    await segmenter.segmentBoxes(image, [[2, 1, 6, 4], [0, 0, 1, 1]], [true, false], { text: 'cup' });
    const body = server.requests[1]?.body as { image?: unknown; prompts: unknown[] };
    expect(body.image).toBeUndefined();
    expect(body.prompts[0]).toEqual({ type: 'visual', text: 'cup', boxes: [{ x0: 2, y0: 1, x1: 6, y1: 4 }, { x0: 0, y0: 0, x1: 1, y1: 1 }], box_labels: [1, 0] });
    await expect(segmenter.segmentBoxes(image, [[0, 0, 1, 1]], [], {})).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('batches many phrases into few concept_segment requests and returns one result per phrase in order', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, maxPromptsPerRequest: 4 });
    const phrases = Array.from({ length: 10 }, (_unused, index) => `phrase ${index}`);
    const results = (await segmenter.segmentTexts?.(image, phrases)) ?? [];
    expect(results).toHaveLength(10);
    expect(results.every((result) => result.instances.length === 1)).toBe(true);
    const segmentRequests = server.requests.filter((request) => request.path === '/sam3/concept_segment');
    expect(segmentRequests.map((request) => (request.body as { prompts: unknown[] }).prompts.length)).toEqual([4, 4, 2]);
    expect(server.requests.filter((request) => request.path === '/sam3/embed_image')).toHaveLength(1);
  });

  it('resends the image once when a server that forgot the image_id rejects an id-only request', async () => {
    const server = await startFakeServer((body, _index, path) => {
      if (path === '/sam3/embed_image') return { json: { image_id: 'evicted', time: 0 } };
      if ((body as { image?: unknown }).image === undefined) return { status: 422, json: { detail: 'image is required unless image_id is cached' } };
      return { json: { time: 0, prompt_results: [{ prompt_index: 0, echo: { prompt_index: 0 }, predictions: [{ masks: encodeRle(rectangle()), confidence: 0.8, format: 'rle' }] }] } };
    });
    servers.push(server);
    const result = await createSam3Segmenter({ baseURL: server.url, sendImageWithId: false }).segmentText(image, 'cup');
    expect(result.instances).toHaveLength(1);
    expect(result.call.retries).toBe(1);
    expect(server.requests.map((request) => request.path)).toEqual(['/sam3/embed_image', '/sam3/concept_segment', '/sam3/concept_segment']);
  });
});
