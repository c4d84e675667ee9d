import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../core/index.js';
import type { Box, CallRecord, RgbImage, Size } from '../core/index.js';
import { chatCompletion, modelsList, startFakeServer } from './__tests__/fake-servers.js';
import type { FakeReply, FakeServer } from './__tests__/fake-servers.js';
import type { FramingProfile } from './image-payload.js';
import { BackendError } from './backend-errors.js';
import { createOpenAICompatibleClient } from './openai-client.js';
import { createResponseCache } from './response-cache.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function scripted(replies: FakeReply[]): Promise<FakeServer> {
  const server = await startFakeServer((_body, index, path) =>
    path.endsWith('/models') ? { json: modelsList(['fake-model']) } : (replies[Math.min(index, replies.length - 1)] ?? {}),
  );
  servers.push(server);
  return server;
}

const judgeSchema = { name: 'judge_pair', schema: taskResponseSchema('judge_pair') };
const messages = [
  { role: 'system' as const, content: 'Task: judge_pair' },
  { role: 'user' as const, content: 'Query: the red cup' },
];

function client(server: FakeServer, extra: Partial<Parameters<typeof createOpenAICompatibleClient>[0]> = {}) {
  return createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: 'fake-model', retryBaseDelayMs: 5, timeoutMs: 2000, ...extra });
}

function chatRequests(server: FakeServer): FakeServer['requests'] {
  return server.requests.filter((request) => request.path.endsWith('/chat/completions'));
}

function grey(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(128) };
}

describe('createOpenAICompatibleClient', () => {
  let records: CallRecord[] = [];
  afterEach(() => {
    records = [];
  });

  it('round-trips structured output: sends the json_schema named after the task and validates the answer', async () => {
    const server = await scripted([{ json: chatCompletion('{"winner": "A", "reason": "tighter"}') }]);
    const result = await client(server, { onCall: (record) => records.push(record) }).chat({ messages, schema: judgeSchema, stage: 'judge', temperature: 0 });
    expect(result.value).toEqual({ winner: 'A', reason: 'tighter' });
    expect(result.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    const body = server.requests[0]?.body as { response_format: { type: string; json_schema: { name: string } }; model: string };
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('judge_pair');
    expect(body.model).toBe('fake-model');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ stage: 'judge', cacheHit: false, retries: 0, repairs: 0, promptTokens: 11 });
  });

  it('attaches images as data URLs to the last user message and converts boxes back with the profile frame', async () => {
    const server = await scripted([{ json: chatCompletion('plain text answer') }]);
    const halving: FramingProfile = {
      name: 'halving',
      pixelBounds: { maxPixels: 1000 },
      imageFrame: (size: Size) => ({ width: size.width / 2, height: size.height / 2 }),
      fromModelBox: (box: Box) => [box[0] * 2, box[1] * 2, box[2] * 2, box[3] * 2],
    };
    const result = await client(server, { profile: halving }).chat({ messages, images: [grey(64, 32)] });
    expect(result.value).toBe('plain text answer');
    expect(result.frames[0]).toEqual({ original: { width: 64, height: 32 }, sent: { width: 32, height: 16 } });
    expect(result.warnings.map((warning) => warning.code)).toContain('image-downscaled');
    expect(result.boxToOriginal([1, 2, 3, 4])).toEqual([2, 4, 6, 8]);
    const sent = server.requests[0]?.body as { messages: { role: string; content: unknown }[] };
    const userContent = sent.messages[1]?.content as { type: string; image_url?: { url: string } }[];
    expect(userContent[0]?.image_url?.url.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect(userContent[1]).toEqual({ type: 'text', text: 'Query: the red cup' });
  });

  it('sends an image label as a text part right before its image (Qwen3-VL video timestamps)', async () => {
    const server = await scripted([{ json: chatCompletion('from 0.3 to 1.3 seconds') }]);
    await client(server).chat({ messages, images: [grey(8, 8), grey(8, 8), grey(8, 8)], imageLabels: ['<0.3 seconds>', undefined, '<1.3 seconds>'] });
    const sent = chatRequests(server)[0]?.body as { messages: { content: { type: string; text?: string }[] }[] };
    const kinds = sent.messages[1]?.content.map((part) => (part.type === 'text' ? part.text : part.type));
    expect(kinds, 'label, image, image, label, image, then the user text').toEqual(['<0.3 seconds>', 'image_url', 'image_url', '<1.3 seconds>', 'image_url', 'Query: the red cup']);
  });

  it('warns of a downscale only over the profile\'s max pixels, and once per image however many calls send it', async () => {
    const server = await scripted([{ json: chatCompletion('a') }]);
    const halving: FramingProfile = {
      name: 'halving',
      pixelBounds: { maxPixels: 1000 },
      imageFrame: (size: Size) => ({ width: size.width / 2, height: size.height / 2 }),
      fromModelBox: (box: Box) => box,
    };
    const chat = client(server, { profile: halving });
    const small = grey(30, 20);
    const underLimit = await chat.chat({ messages, images: [small] });
    expect(underLimit.frames[0]?.sent, 'still sent in the model frame').toEqual({ width: 15, height: 10 });
    expect(underLimit.warnings, '600 pixels are under the 1000-pixel limit: no warning').toEqual([]);
    const large = grey(64, 32);
    const codes = [];
    for (let call = 0; call < 4; call += 1) codes.push(...(await chat.chat({ messages, images: [large] })).warnings.map((warning) => warning.code));
    expect(codes, 'one warning for four calls with the same image').toEqual(['image-downscaled']);
  });

  it('repairs malformed output with one extra turn that shows the model the problem', async () => {
    const server = await scripted([{ json: chatCompletion('Overlay C is best.') }, { json: chatCompletion('{"winner": "B", "reason": "ok"}') }]);
    const result = await client(server).chat({ messages, schema: judgeSchema });
    expect(result.value).toEqual({ winner: 'B', reason: 'ok' });
    expect(result.call.repairs).toBe(1);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['response-format-ignored', 'output-repaired']);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1]?.body as { messages: { role: string; content: string }[] };
    expect(repair.messages.at(-2)).toEqual({ role: 'assistant', content: 'Overlay C is best.' });
    expect(repair.messages.at(-1)?.content).toContain('could not be used');
  });

  it('fails with a typed invalid-model-output error carrying the raw text when the repair is also invalid', async () => {
    const server = await scripted([{ json: chatCompletion('no idea') }, { json: chatCompletion('still no idea') }]);
    const failure = await client(server).chat({ messages, schema: judgeSchema }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'invalid-model-output' });
    expect((failure as { details: { raw: string } }).details.raw).toBe('still no idea');
    expect(server.requests).toHaveLength(2);
  });

  it('retries 429 (honouring Retry-After), 500 and a stalled response, then succeeds', async () => {
    const server = await scripted([
      { status: 429, json: { error: { message: 'slow down' } }, headers: { 'retry-after': '0' } },
      { status: 500, json: { error: { message: 'boom' } } },
      { delayMs: 5000, json: chatCompletion('late') },
      { json: chatCompletion('{"winner": "tie", "reason": "same"}') },
    ]);
    const result = await client(server, { timeoutMs: 300 }).chat({ messages, schema: judgeSchema });
    expect(result.value.winner).toBe('tie');
    expect(result.call.retries).toBe(3);
    expect(server.requests).toHaveLength(4);
  });

  it('never retries a 4xx other than 429 and reports status and retryability', async () => {
    const server = await scripted([{ status: 400, json: { error: { message: 'bad image' } } }, { json: chatCompletion('x') }]);
    const failure = await client(server).chat({ messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect(failure).toMatchObject({ code: 'backend-http', status: 400, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('stops a cancelled request promptly with the cancelled code', async () => {
    const server = await scripted([{ delayMs: 10_000, json: chatCompletion('never') }]);
    const controller = new AbortController();
    let abortedAt = Number.NaN;
    // Abort once the server holds the request (a fixed delay can fire before it arrives on a loaded machine).
    const watcher = setInterval(() => {
      if (server.requests.length === 0) return;
      clearInterval(watcher);
      abortedAt = performance.now();
      controller.abort();
    }, 5);
    const failure = await client(server, { timeoutMs: 20_000 }).chat({ messages, signal: controller.signal }).catch((error: unknown) => error);
    clearInterval(watcher);
    expect(failure).toMatchObject({ code: 'cancelled' });
    expect(performance.now() - abortedAt, 'time from abort to failure').toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  it('serves a repeated deterministic run from the cache with zero requests', async () => {
    const server = await scripted([{ json: chatCompletion('{"winner": "A", "reason": "r"}') }]);
    const cache = createResponseCache(':memory:');
    const request = { messages, schema: judgeSchema, temperature: 0, images: [grey(8, 8)] };
    const first = await client(server, { cache }).chat(request);
    const second = await client(server, { cache }).chat(request);
    expect(chatRequests(server), 'one chat request; each new client also reads /v1/models once').toHaveLength(1);
    expect(second.value).toEqual(first.value);
    expect(second.call.cacheHit).toBe(true);
    expect(second.call.promptTokens, 'a cache hit spends no tokens').toBe(0);
    expect(second.call.cachedTokens, 'a cache hit records the tokens it did not spend again').toBe(first.usage.promptTokens + first.usage.completionTokens);
    expect(first.call.cachedTokens, 'a fresh call has no cached tokens').toBeUndefined();
    expect(second.usage).toEqual(first.usage);
    await client(server, { cache }).chat({ ...request, images: [grey(8, 9)] });
    await client(server, { cache }).chat({ ...request, cache: false });
    expect(chatRequests(server)).toHaveLength(3);
    cache.close();
  });

  it('names the task in a first system line when the server gets no response_format', async () => {
    const server = await scripted([{ json: chatCompletion('{"winner": "A", "reason": "r"}') }]);
    const plain = client(server, { supportsJsonSchema: false });
    await plain.chat({ messages: [{ role: 'system', content: 'You judge masks.' }, { role: 'user', content: 'Query: cup' }], schema: judgeSchema });
    const body = server.requests[0]?.body as { response_format?: unknown; messages: { role: string; content: string }[] };
    expect(body.response_format).toBeUndefined();
    expect(body.messages[0]?.content).toBe('Task: judge_pair\nYou judge masks.');
    await plain.chat({ messages, schema: judgeSchema });
    const second = server.requests[1]?.body as { messages: { content: string }[] };
    expect(second.messages[0]?.content).toBe('Task: judge_pair');
  });

  it('sends identical concurrent deterministic requests once (single flight)', async () => {
    const server = await scripted([{ delayMs: 50, json: chatCompletion('{"winner": "B", "reason": "same"}') }]);
    const cache = createResponseCache(':memory:');
    const shared = client(server, { cache });
    const results = await Promise.all(Array.from({ length: 5 }, () => shared.chat({ messages, schema: judgeSchema, temperature: 0 })));
    expect(chatRequests(server)).toHaveLength(1);
    expect(server.requests.filter((request) => request.path.endsWith('/models')), 'the server identity is read once per client').toHaveLength(1);
    expect(results.filter((result) => result.call.cacheHit)).toHaveLength(4);
    expect(results.every((result) => result.value.winner === 'B')).toBe(true);
    cache.close();
  });

  it('keys the cache on the server identity in /v1/models: another fingerprint or root misses, a server without /models keeps working', async () => {
    const answer = (text: string, entry: Record<string, unknown> | undefined) =>
      startFakeServer((_body, _index, path) =>
        path.endsWith('/models') ? (entry === undefined ? { status: 404, json: { error: 'no such route' } } : { json: { object: 'list', data: [{ id: 'fake-model', object: 'model', created: Date.now(), ...entry }] } }) : { json: chatCompletion(text) },
      );
    const first = await answer('{"winner": "A", "reason": "fp 1"}', { system_fingerprint: 'fp_1', root: '/models/a' });
    const sameConfig = await answer('{"winner": "B", "reason": "fp 1 again"}', { system_fingerprint: 'fp_1', root: '/models/a' });
    const otherConfig = await answer('{"winner": "B", "reason": "fp 2"}', { system_fingerprint: 'fp_2', root: '/models/a' });
    const noModels = await answer('{"winner": "tie", "reason": "no list"}', undefined);
    servers.push(first, sameConfig, otherConfig, noModels);
    const cache = createResponseCache(':memory:');
    const request = { messages, schema: judgeSchema, temperature: 0 };
    expect((await client(first, { cache }).chat(request)).value.reason).toBe('fp 1');
    const replay = await client(sameConfig, { cache }).chat(request);
    expect(replay.call.cacheHit, 'same identity (created differs): replayed').toBe(true);
    expect(chatRequests(sameConfig)).toHaveLength(0);
    const other = await client(otherConfig, { cache }).chat(request);
    expect(other.call.cacheHit, 'another system_fingerprint must not replay').toBe(false);
    expect(other.value.reason).toBe('fp 2');
    expect((await client(noModels, { cache }).chat(request)).value.reason, 'a server without /models is asked').toBe('no list');
    expect((await client(noModels, { cache }).chat(request)).call.cacheHit, 'and then cached as before').toBe(true);
    cache.close();
  });

  it('lists model ids from /v1/models', async () => {
    const server = await scripted([]);
    expect(await client(server).listModels()).toEqual(['fake-model']);
  });
});
