import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { startFakeServer } from './__tests__/fake-servers.js';
import type { FakeServer } from './__tests__/fake-servers.js';
import { sam3ConceptSegmentRequestSchema } from '../protocols/index.js';
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
    if (path !== '/sam3/concept_segment') return { status: 404, json: { detail: 'Not Found' } };
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
  it('sends no embed_image and the image itself with every concept_segment request, never an image_id', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, apiKey: 'secret key' });
    const prepared = await segmenter.prepare(image);
    for (const phrase of ['cup', 'red cup']) await segmenter.segmentText(prepared, phrase);
    await segmenter.segmentText(image, 'raw image');
    expect(server.requests.map((request) => request.path), 'only concept_segment requests').toEqual(['/sam3/concept_segment', '/sam3/concept_segment', '/sam3/concept_segment']);
    for (const request of server.requests) {
      const body = request.body as { image?: { type: string; value: string }; image_id?: unknown };
      expect(body.image?.value, 'the PNG payload prepared once').toBe(prepared.payload);
      expect(body.image_id, 'concept_segment never reads image_id').toBeUndefined();
    }
    expect(server.requests.every((request) => request.query['api_key'] === 'secret key')).toBe(true);
  });

  it('prepares the PNG once per pixel buffer: a copy of the image that shares its pixels gets the same prepared image, other pixels or another size a new one', async () => {
    const segmenter = createSam3Segmenter({ baseURL: 'http://127.0.0.1:9' });
    const first = segmenter.prepare(image);
    expect(segmenter.prepare({ ...image }), 'a copy sharing the pixel buffer').toBe(first);
    expect(segmenter.prepare({ width: image.width, height: image.height, data: new Uint8Array(image.data) }), 'the same pixels in another buffer').not.toBe(first);
    const other = segmenter.prepare({ width: image.height, height: image.width, data: image.data });
    expect(other, 'the same buffer read at another size').not.toBe(first);
    expect((await other).width, 'prepared at its own size').toBe(image.height);
  });

  it('sends the API key as an Authorization bearer header instead of the query parameter when asked', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url, apiKey: 'secret key', apiKeyIn: 'bearer' });
    await segmenter.segmentText(await segmenter.prepare(image), 'cup');
    expect(server.requests.length, 'one segment request').toBe(1);
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
    expect((server.requests[0]?.body as { output_prob_thresh: number }).output_prob_thresh).toBe(0.3);
  });

  it('fills polygon output with the same pixels as the RLE output', async () => {
    const server = await sam3Server();
    const result = await createSam3Segmenter({ baseURL: server.url, format: 'polygon' }).segmentText(image, 'cup');
    expect(Array.from(result.instances[0]?.mask.data ?? [])).toEqual(Array.from(rectangle().data));
  });

  it('sends exemplar boxes as XYXY visual prompts with 1/0 labels', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url });
    await segmenter.segmentBoxes(image, [[2, 1, 6, 4], [0, 0, 1, 1]], [true, false], { text: 'cup' });
    const body = server.requests[0]?.body as { image?: unknown; prompts: unknown[] };
    expect(body.image).toBeDefined();
    expect(body.prompts[0]).toEqual({ type: 'visual', text: 'cup', boxes: [{ x0: 2, y0: 1, x1: 6, y1: 4 }, { x0: 0, y0: 0, x1: 1, y1: 1 }], box_labels: [1, 0] });
    await expect(segmenter.segmentBoxes(image, [[0, 0, 1, 1]], [], {})).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('batches text and box prompts into concept_segment requests of at most 16 prompts, one result per prompt in order', async () => {
    const server = await sam3Server();
    const segmenter = createSam3Segmenter({ baseURL: server.url });
    const prompts = [
      ...Array.from({ length: 17 }, (_unused, index) => ({ kind: 'text' as const, text: `phrase ${index}` })),
      { kind: 'boxes' as const, boxes: [[2, 1, 6, 4] as const], labels: [true] },
    ];
    const results = await segmenter.segmentPrompts(image, prompts);
    expect(results).toHaveLength(18);
    expect(results.every((result) => result.instances.length === 1)).toBe(true);
    expect(server.requests.map((request) => (request.body as { prompts: unknown[] }).prompts.length), 'SAM3_MAX_PROMPT_BATCH_SIZE is 16').toEqual([16, 2]);
    expect((server.requests[1]?.body as { prompts: { type: string }[] }).prompts.map((prompt) => prompt.type)).toEqual(['text', 'visual']);
    expect(new Set(results.slice(0, 16).map((result) => result.call)).size, 'prompts of one request share its call record').toBe(1);
    expect(await segmenter.segmentPrompts(image, [])).toEqual([]);
    expect(server.requests).toHaveLength(2);
  });
});
