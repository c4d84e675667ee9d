/**
 * Memory under a harness: answers the chat proxy gives with memory on take one feedback each
 * (POST /v1/feedback, by response id, per tenant), and with memory.labelFree the model's own check writes
 * lessons in the background. Against SIMULATED MLLM servers on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { TRAP_ALWAYS_NOISE, resolveSimConfig, scenesWithTrap, startSimMllmServer } from '../sim/index.js';
import type { SimMllmServer } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { parseMemoryMethodConfig } from '../memory/index.js';
import { sqliteAnswerRows } from './answer-rows.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

interface Question {
  text: string;
  answer: string;
  image: string;
}

let trapSim: SimMllmServer;
let slipSim: SimMllmServer;
const opened: { backends: Backends; server: TestServer }[] = [];
let questions: Question[] = [];

async function serverFor(sim: SimMllmServer, memory: Record<string, unknown> = {}, extra: Parameters<typeof createTestServer>[0] = {}): Promise<TestServer> {
  const backends = createBackends(parseConfig({ backends: { mllm: { baseURL: `${sim.url}/v1`, model: sim.modelId, maxRetries: 0, timeoutMs: 5000 } }, cache: { enabled: false } }));
  const server = await createTestServer({ backends, upstream: { baseURL: `${sim.url}/v1` }, memoryConfig: parseMemoryMethodConfig(memory), ...extra });
  opened.push({ backends, server });
  return server;
}

beforeAll(async () => {
  trapSim = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: TRAP_ALWAYS_NOISE }), host: '127.0.0.1', port: 0 });
  slipSim = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: { perCallErrorRate: 0.5 } }), host: '127.0.0.1', port: 0 });
  // Free-form questions (no options): a harness sends its prompt as it is.
  const scenes = scenesWithTrap('occlusion', 20).filter((scene) => scene.problem.options.length === 0).slice(0, 6);
  questions = await Promise.all(
    scenes.map(async (scene) => ({ text: scene.problem.question, answer: scene.problem.answer, image: `data:image/png;base64,${(await encodeImage(scene.rendered.image, 'png')).toString('base64')}` })),
  );
});

afterAll(async () => {
  for (const { backends, server } of opened) {
    await server.close();
    backends.close();
  }
  await trapSim.close();
  await slipSim.close();
});

function ask(server: TestServer, key: string, question: Question, stream = false): Promise<Response> {
  return server.request('/v1/chat/completions', {
    method: 'POST',
    key,
    json: { model: trapSim.modelId, stream, messages: [{ role: 'user', content: [{ type: 'text', text: question.text }, { type: 'image_url', image_url: { url: question.image } }] }] },
  });
}

function feedback(server: TestServer, key: string, body: unknown): Promise<Response> {
  return server.request('/v1/feedback', { method: 'POST', key, json: body });
}

interface Report {
  signal: string;
  correct: boolean;
  verdict?: { rule: string };
  lessons: { id: string; outcome: string }[];
}

async function signals(server: TestServer, key: string): Promise<string[]> {
  const listed = (await (await server.request('/v1/memories?limit=100', { key })).json()) as { lessons: { provenance: { signal?: string } }[] };
  return listed.lessons.map((lesson) => lesson.provenance.signal ?? '(none)');
}

describe('POST /v1/feedback for answers the chat proxy gave', () => {
  it('verifies a gold answer sent later and writes lessons marked "feedback"; a second feedback is 409', async () => {
    const server = await serverFor(trapSim, { write: { logicOnlyForLogicalErrors: false } });
    const key = await server.keyFor('alice');
    const [question] = questions;
    if (question === undefined) throw new Error('no free-form occlusion scene');
    const answered = await ask(server, key, question);
    expect(answered.status).toBe(200);
    const id = ((await answered.json()) as { id: string }).id;
    expect(answered.headers.get('x-mmevolve-response-id'), 'the response id also comes as a header').toBe(id);
    const first = await feedback(server, key, { responseId: id, answer: question.answer });
    expect(first.status, JSON.stringify(await first.clone().json())).toBe(200);
    const report = (await first.json()) as Report;
    expect(report.signal).toBe('feedback');
    expect(report.correct, 'the SIMULATED model falls into the trap').toBe(false);
    expect(report.verdict?.rule).toBe('no-match');
    expect(report.lessons.length).toBeGreaterThan(0);
    expect(new Set(await signals(server, key))).toEqual(new Set(['feedback']));
    const again = await feedback(server, key, { responseId: id, verdict: 'correct' });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('conflict');
  });

  it('keeps a streamed answer once its stream has ended and takes a verdict for it', async () => {
    const server = await serverFor(trapSim);
    const key = await server.keyFor('alice');
    const [, question] = questions;
    if (question === undefined) throw new Error('no second free-form scene');
    const streamed = await ask(server, key, question, true);
    const text = await streamed.text();
    const id = /"id":"([^"]+)"/u.exec(text)?.[1];
    expect(id, 'the stream chunks carry the response id').toBeDefined();
    await server.learning.idle();
    const praised = await feedback(server, key, { responseId: id, verdict: 'correct' });
    expect(praised.status).toBe(200);
    const report = (await praised.json()) as Report;
    expect(report.correct).toBe(true);
    expect(report.lessons, 'a "correct" verdict writes nothing').toEqual([]);
  });

  it('answers 404 for an unknown id and for another tenant\'s id, 400 for a bad body, 403 without the write scope', async () => {
    const server = await serverFor(trapSim);
    const alice = await server.keyFor('alice');
    const bob = await server.keyFor('bob');
    const [question] = questions;
    if (question === undefined) throw new Error('no scene');
    const id = ((await (await ask(server, alice, question)).json()) as { id: string }).id;
    expect((await feedback(server, alice, { responseId: 'chatcmpl-unknown', verdict: 'incorrect' })).status).toBe(404);
    const foreign = await feedback(server, bob, { responseId: id, verdict: 'incorrect' });
    expect(foreign.status, "bob cannot give feedback on alice's answer").toBe(404);
    for (const bad of [{ responseId: id }, { responseId: id, verdict: 'incorrect', answer: '3' }, { responseId: id, verdict: 'maybe' }, { responseId: id, verdict: 'incorrect', extra: 1 }, { verdict: 'incorrect' }]) {
      const response = await feedback(server, alice, bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    const solver = await server.keyFor('alice', ['solve']);
    expect((await feedback(server, solver, { responseId: id, verdict: 'incorrect' })).status).toBe(403);
    const taken = await feedback(server, alice, { responseId: id, verdict: 'incorrect' });
    expect(taken.status, 'the refused attempts did not use up the one feedback').toBe(200);
  });

  it('accepts feedback for an answer given before a restart (answers kept in the workspace SQLite file)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmevolve-feedback-restart-'));
    const path = join(directory, 'memory.db');
    try {
      const rowsBefore = sqliteAnswerRows(path);
      const before = await serverFor(trapSim, {}, { answerRows: rowsBefore });
      const key = await before.keyFor('alice');
      const [question] = questions;
      if (question === undefined) throw new Error('no scene');
      const id = ((await (await ask(before, key, question)).json()) as { id: string }).id;
      await before.close();
      await rowsBefore.close();
      // A new server process: its own key store and memory, the same workspace file for answers.
      const rowsAfter = sqliteAnswerRows(path);
      const after = await serverFor(trapSim, {}, { answerRows: rowsAfter });
      try {
        const response = await feedback(after, await after.keyFor('alice'), { responseId: id, answer: question.answer });
        expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
        expect(((await response.json()) as Report).correct, 'judged against the answer kept before the restart').toBe(false);
        const bob = await after.keyFor('bob');
        expect((await feedback(after, bob, { responseId: id, verdict: 'incorrect' })).status, 'still per tenant after the restart').toBe(404);
      } finally {
        await rowsAfter.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('keeps nothing for an answer given with memory off', async () => {
    const server = await serverFor(trapSim);
    const key = await server.keyFor('alice');
    const [question] = questions;
    if (question === undefined) throw new Error('no scene');
    const response = await server.request('/v1/chat/completions', { method: 'POST', key, headers: { 'X-Mmevolve-Memory': 'off' }, json: { model: trapSim.modelId, messages: [{ role: 'user', content: question.text }] } });
    const id = ((await response.json()) as { id: string }).id;
    expect(response.headers.get('x-mmevolve-response-id')).toBeNull();
    expect((await feedback(server, key, { responseId: id, verdict: 'incorrect' })).status).toBe(404);
  });
});

describe('label-free memory behind the chat proxy', () => {
  it('writes lessons marked "label-free" for answers the model\'s own check finds wrong', async () => {
    const server = await serverFor(slipSim, { labelFree: true });
    const key = await server.keyFor('alice');
    for (const question of questions) expect((await ask(server, key, question)).status).toBe(200);
    await server.learning.idle();
    const written = await signals(server, key);
    expect(written.length, 'the SIMULATED model slips on some calls, and its check catches some of those').toBeGreaterThan(0);
    expect(new Set(written)).toEqual(new Set(['label-free']));
  });

  it('checks nothing for a key without the write scope', async () => {
    const server = await serverFor(slipSim, { labelFree: true });
    const key = await server.keyFor('alice', ['solve', 'read']);
    for (const question of questions) expect((await ask(server, key, question)).status).toBe(200);
    await server.learning.idle();
    expect(await signals(server, key)).toEqual([]);
  });
});
