/**
 * One contract suite, run against both sides: the fixtures in src/protocols/__contracts__ were written from
 * each upstream project's own request/response models (file and commit named in each fixture). The client
 * must send requests those models accept and parse every response and error body they define; the
 * simulated servers must accept the same requests and answer with the same shapes. A misreading of an
 * upstream can then not hide on both sides at once. (Test-only import of src/sim.)
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineSchemaProblems, isMmevolveError, taskResponseSchema } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { sam3ConceptSegmentRequestSchema } from '../protocols/index.js';
import { SIM_EMBEDDING_MODEL, generateScene, renderScene, startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { startFakeServer } from './__tests__/fake-servers.js';
import type { FakeServer } from './__tests__/fake-servers.js';
import { createOpenAIEmbedder } from './embedders.js';
import { createOpenAICompatibleClient } from './openai-client.js';
import { createSam3Segmenter } from './sam3-segmenter.js';

type Json = Record<string, unknown>;
interface ChatContract {
  upstream: { repo: string; commit: string; files: string[] };
  chatRequest: { required: string[]; fields: string[]; responseFormatTypes: string[]; imageUrlPrefixes: string[] };
  chatResponse: Json;
  streamChunks: Json[];
  errors: { status: number; body: Json }[];
  /** Fields this upstream adds to OpenAI's response (paths like `choices[0].matched_stop`): the sim need not send them. */
  serverExtensions?: string[];
  embeddings?: {
    completionRequestFields: string[];
    chatRequestFields?: string[];
    /** The form this upstream reads images in when it is not `messages` (SGLang: `input` objects). */
    imageInput?: 'image-objects';
    imageItemFields?: string[];
    inputIsText: boolean;
    response: Json;
    serverExtensions?: string[];
  };
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../protocols/__contracts__/${name}`, import.meta.url), 'utf8')) as T;
}

const CHAT_UPSTREAMS = ['vllm.json', 'sglang.json', 'ollama.json', 'llama-cpp.json', 'openai.json'] as const;
const sam3 = fixture<{
  upstream: { commit: string };
  conceptSegment: {
    requestFields: string[]; requestRequired: string[]; promptFields: string[]; maxPrompts: number;
    accepted: Json[]; rejected: { why: string; body: Json }[]; validationErrorStatus: number;
    responses: { why: string; body: Json }[]; responseFields: string[]; promptResultFields: string[]; predictionFields: string[];
  };
}>('roboflow-sam3.json');

const servers: FakeServer[] = [];
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;
let embeddings: SimEmbeddingsServer;
let scene: RgbImage;

beforeAll(async () => {
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  embeddings = await startSimEmbeddingsServer({ port: 0, host: '127.0.0.1' });
  scene = renderScene(generateScene(31, { width: 160, height: 120 })).image;
});

afterAll(async () => {
  await Promise.all([...servers.map((server) => server.close()), mllm.close(), segmenter.close(), embeddings.close()]);
});

/** Keys of `expected` (recursively into objects and the first array element) missing from `actual`. */
function missingKeys(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) return expected.length > 0 && Array.isArray(actual) && actual.length > 0 ? missingKeys(expected[0], actual[0], `${path}[0]`) : [];
  if (typeof expected !== 'object' || expected === null) return [];
  if (typeof actual !== 'object' || actual === null) return [path || '/'];
  return Object.entries(expected).flatMap(([key, value]) => (key in actual ? missingKeys(value, (actual as Json)[key], `${path}.${key}`) : [`${path}.${key}`]));
}

/** A copy of `value` without the fields at `paths` (`a.b`, `choices[0].c`). */
function withoutPaths(value: Json, paths: readonly string[]): Json {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  for (const path of paths) {
    const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    const last = keys.pop() ?? '';
    let node: unknown = copy;
    for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Json)[key] : undefined;
    if (typeof node === 'object' && node !== null) delete (node as Json)[last];
  }
  return copy;
}

async function fake(reply: (body: unknown, index: number, path: string) => { status?: number; json: unknown }): Promise<FakeServer> {
  const server = await startFakeServer(reply);
  servers.push(server);
  return server;
}

const tiny: RgbImage = { width: 12, height: 8, data: new Uint8Array(12 * 8 * 3).fill(120) };
const judge = { name: 'judge_answer', schema: taskResponseSchema('judge_answer') };

for (const name of CHAT_UPSTREAMS) {
  const contract = fixture<ChatContract>(name);
  describe(`${name} contract (${contract.upstream.repo} @ ${contract.upstream.commit.slice(0, 10)})`, () => {
    it('the client sends a chat request that model accepts and parses its response', async () => {
      const server = await fake(() => ({ json: contract.chatResponse }));
      const client = createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: 'M', maxRetries: 0 });
      const result = await client.chat({ messages: [{ role: 'user', content: 'Answer: 4\nGold: 4' }], images: [tiny], schema: judge, temperature: 0, maxTokens: 32, seed: 1 });
      expect(result.value).toEqual({ equivalent: true });
      const body = server.requests[0]?.body as Json;
      for (const field of contract.chatRequest.required) expect(body, `required field ${field}`).toHaveProperty(field);
      for (const field of Object.keys(body)) expect(contract.chatRequest.fields, `field ${field} is not in the upstream request model`).toContain(field);
      const format = body['response_format'] as { type: string; json_schema: { name?: unknown; strict?: unknown; schema: unknown } };
      expect(contract.chatRequest.responseFormatTypes).toContain(format.type);
      expect(typeof format.json_schema.name, 'json_schema.name is required (OpenAI, SGLang JsonSchemaResponseFormat)').toBe('string');
      expect(format.json_schema.strict, 'strict: false lets SGLang and OpenAI skip the constraint').not.toBe(false);
      expect(engineSchemaProblems(format.json_schema.schema)).toEqual([]);
      const parts = ((body['messages'] as { content: unknown }[])[0]?.content ?? []) as { type: string; image_url?: { url: string } }[];
      const url = parts.find((part) => part.type === 'image_url')?.image_url?.url ?? '';
      expect(contract.chatRequest.imageUrlPrefixes.some((prefix) => url.startsWith(prefix)), `image URL ${url.slice(0, 30)}… is not a form the upstream decodes`).toBe(true);
    });

    it.each(contract.errors.map((error) => [error.status, error] as const))('the client turns its %i error body into a typed error carrying the message', async (_status, error) => {
      const server = await fake(() => ({ status: error.status, json: error.body }));
      const client = createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: 'M', maxRetries: 0 });
      const failure = await client.chat({ messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
      expect(isMmevolveError(failure), 'a typed MmevolveError').toBe(true);
      const message = ((error.body['error'] as Json | undefined)?.['message'] ?? error.body['message']) as string;
      expect(String((failure as Error).message)).toContain(message.split('\n')[0]);
    });

    it('the simulated MLLM accepts the same request and answers with every field of the upstream response', async () => {
      const client = createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: mllm.modelId, maxRetries: 0 });
      const server = await fake(() => ({ json: contract.chatResponse }));
      const recorder = createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: mllm.modelId, maxRetries: 0 });
      await recorder.chat({ messages: [{ role: 'user', content: 'Answer: 4\nGold: 4' }], schema: judge, temperature: 0 });
      const sent = server.requests[0]?.body as Json;
      const response = await fetch(`${mllm.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent) });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as Json;
      const expected = withoutPaths(contract.chatResponse, ['system_fingerprint', 'service_tier', ...(contract.serverExtensions ?? [])]);
      expect(missingKeys(expected, answer), 'fields the simulated server leaves out').toEqual([]);
      expect((await client.chat({ messages: [{ role: 'user', content: 'Answer: 4\nGold: 4' }], schema: judge, temperature: 0 })).value).toHaveProperty('equivalent');
    });

    it('the simulated MLLM streams chunks shaped like the upstream SSE chunks, ending with [DONE]', async () => {
      const response = await fetch(`${mllm.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: mllm.modelId, stream: true, messages: [{ role: 'system', content: 'Task: judge_answer' }, { role: 'user', content: 'Answer: 4\nGold: 4' }] }),
      });
      const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice(6));
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as Json);
      const template = { ...contract.streamChunks[0] } as Json;
      // usage in a chunk is optional everywhere (sent with stream_options.include_usage; SGLang writes null).
      delete template['system_fingerprint'];
      delete template['usage'];
      const choice = (template['choices'] as Json[])[0] ?? {};
      const skeleton = { ...template, choices: [{ index: choice['index'], delta: {}, finish_reason: null }] };
      for (const chunk of chunks) expect(missingKeys(skeleton, chunk), 'chunk fields the simulated server leaves out').toEqual([]);
      expect(chunks.at(-1)?.['choices']).toEqual([expect.objectContaining({ finish_reason: 'stop' })]);
    });

    if (contract.embeddings !== undefined) {
      const spec = contract.embeddings;
      it('the embedder sends texts in input and images only in a form this upstream reads as an image; the sim answers like it', async () => {
        const server = await fake((_body) => ({ json: spec.response }));
        const embedder = createOpenAIEmbedder({ baseURL: `${server.url}/v1`, model: 'M', maxRetries: 0 });
        await embedder.embedTexts(['a red circle']);
        const textBody = server.requests[0]?.body as Json;
        for (const field of Object.keys(textBody)) expect(spec.completionRequestFields).toContain(field);
        if (spec.chatRequestFields !== undefined) {
          await embedder.embedImages([tiny]);
          const imageBody = server.requests[1]?.body as Json;
          expect(imageBody).not.toHaveProperty('input');
          for (const field of Object.keys(imageBody)) expect(spec.chatRequestFields).toContain(field);
        }
        if (spec.imageInput !== undefined) {
          const vectors = (body: unknown): Json => ({ ...spec.response, data: ((body as Json)['input'] as unknown[]).map((_item, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })) });
          const imageServer = await fake((body) => ({ json: vectors(body) }));
          const imageEmbedder = createOpenAIEmbedder({ baseURL: `${imageServer.url}/v1`, model: 'M', maxRetries: 0, imageInput: spec.imageInput });
          expect(await imageEmbedder.embedImages([tiny, tiny])).toHaveLength(2);
          const imageBody = imageServer.requests[0]?.body as Json;
          for (const field of Object.keys(imageBody)) expect(spec.completionRequestFields, `image request field ${field}`).toContain(field);
          const items = imageBody['input'] as Json[];
          expect(items, 'one input object per image').toHaveLength(2);
          for (const item of items) {
            for (const field of Object.keys(item)) expect(spec.imageItemFields, `input item field ${field}`).toContain(field);
            expect(String(item['image']), 'the image as a data URL').toMatch(/^data:image\/png;base64,/);
          }
          const simImages = (await (await fetch(`${embeddings.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ ...imageBody, model: SIM_EMBEDDING_MODEL }) })).json()) as { data: unknown[] };
          expect(simImages.data, 'the simulated server embeds each input object\'s image').toHaveLength(2);
        }
        const simAnswer = (await (await fetch(`${embeddings.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: SIM_EMBEDDING_MODEL, input: ['a red circle'] }) })).json()) as Json;
        const expected = withoutPaths(spec.response, ['id', 'created', ...(spec.serverExtensions ?? [])]);
        expect(missingKeys(expected, simAnswer)).toEqual([]);
      });
    }
  });
}

describe(`roboflow-sam3.json contract (roboflow/inference @ ${sam3.upstream.commit.slice(0, 10)})`, () => {
  const spec = sam3.conceptSegment;
  let png = '';
  const materialise = (body: Json): Json => {
    const text = JSON.stringify(body).replaceAll('"PNG"', JSON.stringify(png));
    const parsed = JSON.parse(text) as Json;
    if (parsed['prompts'] === '17 text prompts') parsed['prompts'] = Array.from({ length: spec.maxPrompts + 1 }, () => ({ type: 'text', text: 'circle' }));
    return parsed;
  };
  const rectangle = encodeRle({ width: 12, height: 8, data: Uint8Array.from({ length: 96 }, (_unused, pixel) => (pixel % 12 >= 2 && pixel % 12 < 6 && pixel >= 12 && pixel < 48 ? 1 : 0)) });

  beforeAll(async () => {
    const sharp = (await import('sharp')).default;
    png = (await sharp(scene.data, { raw: { width: scene.width, height: scene.height, channels: 3 } }).png().toBuffer()).toString('base64');
  });

  it('the client sends concept_segment requests that Sam3SegmentationRequest accepts: image, ≤16 prompts, no image_id, no embed_image', async () => {
    const server = await fake((body) => ({ json: { prompt_results: ((body as Json)['prompts'] as unknown[]).map((_prompt, index) => ({ prompt_index: index, echo: { prompt_index: index }, predictions: [] })), time: 0 } }));
    const client = createSam3Segmenter({ baseURL: server.url, maxRetries: 0 });
    await client.segmentPrompts(tiny, [...Array.from({ length: 20 }, (_unused, index) => ({ kind: 'text' as const, text: `phrase ${index}` })), { kind: 'boxes' as const, boxes: [[1, 1, 5, 5] as const], labels: [true] }]);
    expect(server.requests.map((request) => request.path)).toEqual(['/sam3/concept_segment', '/sam3/concept_segment']);
    for (const request of server.requests) {
      const body = request.body as Json;
      for (const field of spec.requestRequired) expect(body).toHaveProperty(field);
      for (const field of Object.keys(body)) expect(spec.requestFields).toContain(field);
      expect(body).not.toHaveProperty('image_id');
      const prompts = body['prompts'] as Json[];
      expect(prompts.length).toBeLessThanOrEqual(spec.maxPrompts);
      for (const prompt of prompts) for (const field of Object.keys(prompt)) expect(spec.promptFields).toContain(field);
    }
  });

  it.each(spec.responses.map((response) => [response.why, response] as const))('the client parses the response: %s', async (_why, response) => {
    const body = JSON.parse(JSON.stringify(response.body).replace('"<rle of x 2..5, y 1..3>"', JSON.stringify(rectangle.counts))) as Json;
    const server = await fake(() => ({ json: body }));
    const [result] = await createSam3Segmenter({ baseURL: server.url, maxRetries: 0 }).segmentPrompts(tiny, [{ kind: 'text', text: 'cup' }]);
    const predictions = ((body['prompt_results'] as Json[])[0]?.['predictions'] ?? []) as unknown[];
    expect(result?.instances).toHaveLength(predictions.length);
    if (predictions.length > 0) expect(result?.instances[0]?.box).toEqual([2, 1, 6, 4]);
  });

  it.each(spec.accepted.map((body, index) => [index, body] as const))('the simulated segmenter and our schema accept request %i and answer with the upstream response fields', async (_index, body) => {
    const request = materialise(body);
    expect(sam3ConceptSegmentRequestSchema.safeParse(request).success).toBe(true);
    const response = await fetch(`${segmenter.url}/sam3/concept_segment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Json;
    for (const field of spec.responseFields) expect(answer).toHaveProperty(field);
    const results = answer['prompt_results'] as Json[];
    expect(results).toHaveLength((request['prompts'] as unknown[]).length);
    for (const result of results) {
      for (const field of spec.promptResultFields) expect(result).toHaveProperty(field);
      const echo = result['echo'] as Json;
      const prompt = (request['prompts'] as Json[])[result['prompt_index'] as number] ?? {};
      expect(echo['type'], 'echo type as segment_image derives it').toBe(prompt['boxes'] === undefined ? 'text' : 'visual');
      for (const prediction of result['predictions'] as Json[]) for (const field of spec.predictionFields) expect(prediction).toHaveProperty(field);
    }
  });

  it.each(spec.rejected.map((rejected) => [rejected.why, rejected] as const))('the simulated segmenter and our schema refuse: %s', async (_why, rejected) => {
    const request = materialise(rejected.body);
    expect(sam3ConceptSegmentRequestSchema.safeParse(request).success).toBe(false);
    const response = await fetch(`${segmenter.url}/sam3/concept_segment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(response.status).toBe(spec.validationErrorStatus);
    const detail = ((await response.json()) as { detail: { loc: unknown[]; msg: string }[] }).detail;
    expect(detail[0]?.loc[0]).toBe('body');
  });
});
