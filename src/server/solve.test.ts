import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, createOfflineEmbedder, parseConfig, unavailableError } from '../backends/index.js';
import { OFFLINE_EMBEDDING_DIMENSIONS } from '../protocols/index.js';
import type { MemoryExportRecord, MllmClient, TenantMemory } from '../core/index.js';
import { openMemoryStore } from '../memory/index.js';
import type { Backends } from '../backends/index.js';
import { TRAP_ALWAYS_NOISE, createRng, generateScene, generateVqaProblem, renderScene, resolveSimConfig, startSimMllmServer } from '../sim/index.js';
import type { SimMllmServer, VqaProblem } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let simulated: SimMllmServer;
let backends: Backends;
let server: TestServer;
let problem: VqaProblem;
let png: Buffer;

function backendsFor(baseURL: string, model: string): Backends {
  return createBackends(parseConfig({ backends: { mllm: { baseURL, model, maxRetries: 0, timeoutMs: 5000 } }, cache: { enabled: false } }));
}

beforeAll(async () => {
  // SIMULATED MLLM that always falls into the problem's trap: a gold answer makes the answer wrong.
  const config = resolveSimConfig({ preset: 'oracle', noise: TRAP_ALWAYS_NOISE });
  simulated = await startSimMllmServer({ config, host: '127.0.0.1', port: 0 });
  backends = backendsFor(`${simulated.url}/v1`, simulated.modelId);
  server = await createTestServer({ backends });
  for (let seed = 1; ; seed += 1) {
    const rendered = renderScene(generateScene(seed, { width: 320, height: 240 }));
    problem = generateVqaProblem(rendered.objects, createRng(seed + 7), 'occlusion');
    if (problem.trap !== 'occlusion') continue;
    png = await encodeImage(rendered.image, 'png');
    break;
  }
});

afterAll(async () => {
  await server.close();
  backends.close();
  await simulated.close();
});

function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { question: problem.question, options: problem.options, image: `data:image/png;base64,${png.toString('base64')}`, ...extra };
}

/** Both writers write; nothing is retrieved, so no usage count changes either. */
const WRITE_BOTH_RETRIEVE_NONE = { write: { logicOnlyForLogicalErrors: false }, retrieval: { logic: { k: 0 }, visual: { k: 0 } } };

async function seedLesson(tenant: TenantMemory): Promise<void> {
  const text = 'An earlier lesson about counting hidden shapes.';
  const [textVector] = await createOfflineEmbedder().embedTexts([text]);
  if (textVector === undefined) throw new Error('offline embedder returned no vector');
  await tenant.insert({ stream: 'logic', text, subject: 'counting', concepts: [], source: { problemId: 'earlier', question: 'q', imageRefs: [] }, textVector });
}

async function exported(tenant: TenantMemory): Promise<string> {
  const records: MemoryExportRecord[] = [];
  for await (const record of tenant.export()) records.push(record);
  return JSON.stringify(records);
}

async function lessonCount(target: TestServer, tenant: string): Promise<number> {
  return (await target.memoryStore.forTenant(tenant).stats()).lessons;
}

describe('POST /v1/solve (SIMULATED MLLM)', () => {
  it('answers with reasoning and writes nothing without a gold answer', async () => {
    const key = await server.keyFor('alice');
    const response = await server.request('/v1/solve', { method: 'POST', key, json: body() });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { answer: string; reasoning: string; lessonsWritten: unknown[]; verdict?: unknown };
    expect(result.answer.length).toBeGreaterThan(0);
    expect(result.reasoning).toContain('simulated');
    expect(result.verdict).toBeUndefined();
    expect(await lessonCount(server, 'alice')).toBe(0);
  });

  it('writes lessons for the key tenant when the gold answer says the answer was wrong', async () => {
    const key = await server.keyFor('bob');
    const response = await server.request('/v1/solve', { method: 'POST', key, json: body({ answer: problem.answer }) });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { verdict: { correct: boolean }; lessonsWritten: { id: string }[]; learned: boolean };
    expect(result.verdict.correct, 'the simulated model falls into the trap').toBe(false);
    expect(result.learned).toBe(true);
    expect(result.lessonsWritten.length).toBeGreaterThan(0);
    expect(await lessonCount(server, 'bob')).toBe(result.lessonsWritten.length);
    expect(await lessonCount(server, 'alice'), 'no other tenant is touched').toBe(0);
  });

  it('accepts a multipart upload', async () => {
    const form = new FormData();
    form.set('question', problem.question);
    form.set('options', JSON.stringify(problem.options));
    form.set('mode', 'baseline');
    form.set('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'figure.png');
    const response = await server.request('/v1/solve', { method: 'POST', key: await server.keyFor('carol'), body: form });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { mode: string }).mode).toBe('baseline');
  });

  it('does not learn with a key lacking the write scope, and refuses learn: true for it', async () => {
    const key = await server.keyFor('dave', ['solve']);
    const quiet = await server.request('/v1/solve', { method: 'POST', key, json: body({ answer: problem.answer }) });
    expect(quiet.status).toBe(200);
    expect(((await quiet.json()) as { learned: boolean }).learned).toBe(false);
    expect(await lessonCount(server, 'dave')).toBe(0);
    const refused = await server.request('/v1/solve', { method: 'POST', key, json: body({ answer: problem.answer, learn: true }) });
    expect(refused.status).toBe(403);
  });

  it('merges method settings from the request over the server defaults and refuses invalid ones', async () => {
    const key = await server.keyFor('frank');
    const invalid = await server.request('/v1/solve', { method: 'POST', key, json: body({ config: { retrieval: { logic: { minScore: 5 } } } }) });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).message).toContain('retrieval.logic.minScore');
    const valid = await server.request('/v1/solve', { method: 'POST', key, json: body({ config: { retrieval: { logic: { k: 1 } } } }) });
    expect(valid.status).toBe(200);
  });

  it('writes nothing, byte for byte, when the visual writer\'s model call fails after the logic writer finished', async () => {
    const stages: string[] = [];
    const inner = backends.mllm;
    if (inner === undefined) throw new Error('sim MLLM missing');
    const failing: MllmClient = {
      model: inner.model,
      profileName: inner.profileName,
      supportsJsonSchema: inner.supportsJsonSchema,
      listModels: (signal) => inner.listModels(signal),
      async chat(request) {
        stages.push(request.stage ?? '');
        if (request.stage === 'memory-write-visual-lesson') {
          // Let the logic branch finish first, then fail like an exhausted backend.
          await new Promise((resolve) => setTimeout(resolve, 400));
          throw unavailableError('http://simulated/v1/chat/completions', new Error('connection reset'));
        }
        return inner.chat(request);
      },
    };
    const flaky = await createTestServer({ backends: { ...backends, mllm: failing, judge: failing } });
    try {
      const key = await flaky.keyFor('gina');
      const tenant = flaky.memoryStore.forTenant('gina');
      await seedLesson(tenant);
      const before = await exported(tenant);
      const response = await flaky.request('/v1/solve', { method: 'POST', key, json: body({ answer: problem.answer, config: WRITE_BOTH_RETRIEVE_NONE }) });
      expect(response.status).toBe(503);
      expect(stages, 'the logic writer ran before the failure').toContain('memory-write-logic-lesson');
      expect(await exported(tenant), 'no lesson, version or restore written by the failed solve').toBe(before);
    } finally {
      await flaky.close();
    }
  });

  it('writes nothing, byte for byte, when the store fails on the second lesson of a solve', async () => {
    let armed = false;
    let ids = 0;
    const embedder = createOfflineEmbedder();
    const memoryStore = openMemoryStore({
      path: ':memory:',
      dimensions: OFFLINE_EMBEDDING_DIMENSIONS,
      embeddingModel: embedder.model,
      newId: () => {
        ids += 1;
        if (armed && ids === 3) throw new Error('injected: the store failed on the second lesson');
        return `les_${ids}`;
      },
    });
    const faulty = await createTestServer({ backends, memoryStore });
    try {
      const key = await faulty.keyFor('hana');
      const tenant = memoryStore.forTenant('hana');
      await seedLesson(tenant); // id 1
      const before = await exported(tenant);
      ids = 1;
      armed = true; // the logic insert takes id 2, the visual one fails
      const response = await faulty.request('/v1/solve', { method: 'POST', key, json: body({ answer: problem.answer, config: WRITE_BOTH_RETRIEVE_NONE }) });
      expect(response.status).toBe(500);
      expect(ids, 'both lessons reached the store before the failure').toBe(3);
      expect(await exported(tenant)).toBe(before);
    } finally {
      await faulty.close();
      await memoryStore.close();
    }
  });

  it('answers 400 without an image and 503 with Retry-After (nothing written) when the MLLM is down', async () => {
    const key = await server.keyFor('erin');
    const missing = await server.request('/v1/solve', { method: 'POST', key, json: { question: 'what?' } });
    expect(missing.status).toBe(400);
    const downBackends = backendsFor('http://127.0.0.1:1/v1', simulated.modelId);
    const down = await createTestServer({ backends: downBackends });
    try {
      const downKey = await down.keyFor('erin');
      const response = await down.request('/v1/solve', { method: 'POST', key: downKey, json: body({ answer: problem.answer }) });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
      expect((await errorOf(response)).hint).toContain('Nothing was written');
      expect(await lessonCount(down, 'erin')).toBe(0);
    } finally {
      await down.close();
      downBackends.close();
    }
  });
});
