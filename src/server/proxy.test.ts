import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimMllmServer } from '../sim/index.js';
import type { SimMllmServer } from '../sim/index.js';
import { LESSON_HEADER } from './lesson-injection.js';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let simulated: SimMllmServer;
let server: TestServer;
let aliceKey: string;
const sentBodies: { messages: { role: string; content: unknown }[]; model: string }[] = [];
const LESSON = 'When asked for the area of a circle, square the radius before multiplying by pi.';
const QUESTION = 'What is the area of a circle with radius 3? Square the radius before multiplying by pi.';

beforeAll(async () => {
  simulated = await startSimMllmServer({ port: 0, host: '127.0.0.1' });
  const recordingFetch: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') sentBodies.push(JSON.parse(init.body) as (typeof sentBodies)[number]);
    return fetch(input, init);
  };
  server = await createTestServer({ upstream: { baseURL: `${simulated.url}/v1`, fetch: recordingFetch } });
  aliceKey = await server.keyFor('alice');
  const created = await server.request('/v1/memories', { method: 'POST', key: aliceKey, json: { stream: 'logic', text: LESSON } });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await server.close();
  await simulated.close();
});

function chat(model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, key = aliceKey): Promise<Response> {
  return server.request('/v1/chat/completions', { method: 'POST', key, headers, json: { model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: QUESTION }], ...extra } });
}

describe('OpenAI-compatible proxy (against the SIMULATED MLLM)', () => {
  it('injects the tenant lesson as a system message after the caller own system messages', async () => {
    const response = await chat(simulated.modelId);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    const sent = sentBodies.at(-1);
    expect(sent?.messages.map((message) => message.role)).toEqual(['system', 'system', 'user']);
    expect(sent?.messages[1]?.content).toContain(LESSON_HEADER);
    expect(sent?.messages[1]?.content).toContain(LESSON);
    expect(response.headers.get('x-mmevolve-memory')).toBe('on');
    expect(response.headers.get('x-mmevolve-lessons')?.split(',')).toHaveLength(1);
  });

  it('turns injection off with the header or the :no-memory model suffix and forwards the plain model id', async () => {
    await chat(simulated.modelId, {}, { 'X-Mmevolve-Memory': 'off' });
    expect(sentBodies.at(-1)?.messages).toHaveLength(2);
    const suffixed = await chat(`${simulated.modelId}:no-memory`);
    expect(suffixed.status).toBe(200);
    expect(suffixed.headers.get('x-mmevolve-memory')).toBe('off');
    expect(sentBodies.at(-1)?.model).toBe(simulated.modelId);
    expect(sentBodies.at(-1)?.messages).toHaveLength(2);
  });

  it("never injects another tenant's lessons", async () => {
    const bobKey = await server.keyFor('bob');
    const response = await chat(simulated.modelId, {}, {}, bobKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mmevolve-lessons')).toBe('');
    expect(JSON.stringify(sentBodies.at(-1)?.messages)).not.toContain(LESSON);
  });

  it('passes a streamed answer through byte for byte', async () => {
    const proxied = await chat(`${simulated.modelId}:no-memory`, { stream: true });
    expect(proxied.headers.get('content-type')).toContain('text/event-stream');
    const proxiedText = await proxied.text();
    const direct = await fetch(`${simulated.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(sentBodies.at(-1)) });
    // The two answers are made a moment apart: only their `created` second may differ.
    const sameSecond = (text: string): string => text.replaceAll(/"created":\d+/g, '"created":0');
    expect(sameSecond(proxiedText)).toBe(sameSecond(await direct.text()));
    expect(proxiedText).toContain('data: [DONE]');
  });

  it('forwards /v1/models and passes upstream errors through with their status', async () => {
    const models = (await (await server.request('/v1/models', { key: aliceKey })).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual([simulated.modelId]);
    const unknown = await chat('no-such-model');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('does not exist');
  });

  it('needs the solve scope to chat', async () => {
    const reader = await server.keyFor('alice', ['read']);
    expect((await chat(simulated.modelId, {}, {}, reader)).status).toBe(403);
  });
});
