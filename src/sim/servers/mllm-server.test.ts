import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOptionsLine, isStructuredTask, taskResponseFormat, taskSystemLine } from '../../core/index.js';
import type { TaskName } from '../../core/index.js';
import { getProfile } from '../../protocols/index.js';
import { createRng, generateVqaProblem, phraseToSpec, resolveQuery } from '../world/index.js';
import { resolveSimConfig } from '../noise/index.js';
import { startSimMllmServer } from './mllm-server.js';
import type { SimMllmServer } from './mllm-server.js';
import { blendOverlay, pngDataUrl, sceneFixture } from './test-support.js';

let server: SimMllmServer;

beforeAll(async () => {
  server = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
});

afterAll(async () => {
  await server.close();
});

function body(task: TaskName, text: string, images: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: server.modelId,
    messages: [
      { role: 'system', content: `${taskSystemLine(task)}\nYou are a careful assistant.` },
      { role: 'user', content: [...images.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text }] },
    ],
    ...(isStructuredTask(task) ? { response_format: taskResponseFormat(task) } : {}),
    ...extra,
  };
}

async function post(payload: unknown): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
}

async function ask(task: TaskName, text: string, images: string[]): Promise<unknown> {
  const response = await post(body(task, text, images));
  expect(response.status, `${task} status`).toBe(200);
  const json = (await response.json()) as { choices: { message: { content: string } }[] };
  const content = json.choices[0]?.message.content ?? '';
  return isStructuredTask(task) ? JSON.parse(content) : content;
}

describe('simulated MLLM server protocol', () => {
  it('lists its simulated model id', async () => {
    const response = await fetch(`${server.url}/v1/models`);
    const json = (await response.json()) as { data: { id: string }[] };
    expect(json.data.map((model) => model.id)).toEqual(['sim-qwen2.5-vl']);
  });

  it('rejects a body without messages with an OpenAI-shaped 400 naming the parameter', async () => {
    const response = await post({ model: server.modelId });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.param).toBe('messages');
    expect(json.error.message.length).toBeGreaterThan(0);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const response = await post({ ...body('verify_mask', 'Query: x', []), model: 'gpt-9' });
    expect(response.status).toBe(404);
    const json = (await response.json()) as { error: { param: string; code: string } };
    expect(json.error).toMatchObject({ param: 'model', code: 'model_not_found' });
  });

  it('refuses image URLs that are not data URLs or loopback', async () => {
    const response = await post(body('plan_phrases', 'Query: the red circle', ['https://example.com/a.png']));
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { param: string } };
    expect(json.error.param).toBe('messages.1.content.0.image_url.url');
  });

  it('streams SSE chunks that reassemble to the non-streamed answer, ending with [DONE]', async () => {
    const { rendered, query } = sceneFixture(3);
    const image = await pngDataUrl(rendered.image);
    const plain = await ask('plan_phrases', `Query: ${query.query}`, [image]);
    const response = await post(body('plan_phrases', `Query: ${query.query}`, [image], { stream: true, stream_options: { include_usage: true } }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text()).split('\n\n').filter((line) => line.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((line) => JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[]; usage?: { total_tokens: number } });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual(plain);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('works through the official OpenAI SDK, with n choices and counted usage', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'simulated', maxRetries: 0 });
    const { rendered, query } = sceneFixture(4);
    const completion = await client.chat.completions.create({
      model: server.modelId,
      n: 3,
      seed: 7,
      temperature: 0.7,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: await pngDataUrl(rendered.image) } }, { type: 'text', text: `Query: ${query.query}` }] }],
      response_format: taskResponseFormat('plan_phrases'),
    });
    expect(completion.choices).toHaveLength(3);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(getProfile('qwen2.5-vl').imageTokens(rendered.image) ?? 0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const response = await post({ model: server.modelId, max_tokens: 5, messages: [{ role: 'user', content: 'hello' }] });
    const json = (await response.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { completion_tokens: number } };
    expect(json.choices[0]?.finish_reason).toBe('length');
    expect(json.choices[0]?.message.content.length).toBe(20);
    expect(json.usage.completion_tokens).toBe(5);
  });

  it('recognises the task from the system line alone and says so when it cannot', async () => {
    const withoutFormat = body('judge_answer', 'Answer: \\boxed{4}\nGold: 4', []);
    delete withoutFormat['response_format'];
    const response = await post(withoutFormat);
    const json = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(json.choices[0]?.message.content ?? '')).toEqual({ equivalent: true });
    const unknown = await post({ model: server.modelId, messages: [{ role: 'user', content: 'hello' }] });
    const unknownJson = (await unknown.json()) as { choices: { message: { content: string } }[] };
    expect(unknownJson.choices[0]?.message.content).toContain('simulated');
  });
});

describe('simulated MLLM with the oracle preset', () => {
  // Perception is pixel-only: shapes of partly occluded objects are sometimes misread (96.9% of all
  // objects right over 200 scenes), so even the oracle plans the exact target for 197 of 200 queries.
  it('plans a phrase that resolves to exactly the query target for at least 95% of queries', async () => {
    const misses: string[] = [];
    const scenes = 40;
    for (let seed = 100; seed < 100 + scenes; seed += 1) {
      const { rendered, query } = sceneFixture(seed);
      const answer = (await ask('plan_phrases', `Query: ${query.query}`, [await pngDataUrl(rendered.image)])) as { phrases: string[] };
      const first = answer.phrases[0] ?? '';
      const spec = phraseToSpec(first);
      const resolved = spec === null ? [] : resolveQuery(spec, rendered.objects);
      if (resolved.length !== 1 || resolved[0] !== query.targetIndex) misses.push(`seed ${seed}: "${query.query}" → "${first}"`);
    }
    expect(misses.length / scenes, misses.join('; ')).toBeLessThanOrEqual(0.05);
  });

  it('verifies the target overlay yes and a wrong overlay no, and judges the target overlay the winner in both orders', async () => {
    const { rendered, query } = sceneFixture(21);
    const target = query.targetIndex ?? 0;
    const other = target === 0 ? 1 : 0;
    const raw = await pngDataUrl(rendered.image);
    const right = await pngDataUrl(blendOverlay(rendered.image, rendered.instanceMasks[target] ?? rendered.labels));
    const wrong = await pngDataUrl(blendOverlay(rendered.image, rendered.instanceMasks[other] ?? rendered.labels));
    const text = `Query: ${query.query}\nImage roles: raw, overlay A, overlay B`;
    expect(await ask('verify_mask', `Query: ${query.query}`, [raw, right])).toEqual({ answer: 'yes' });
    expect(await ask('verify_mask', `Query: ${query.query}`, [raw, wrong])).toEqual({ answer: 'no' });
    expect(await ask('judge_pair', text, [raw, wrong, right])).toMatchObject({ winner: 'B' });
    expect(await ask('judge_pair', text, [raw, right, wrong])).toMatchObject({ winner: 'A' });
    expect(await ask('judge_pair', text, [raw, right, right])).toMatchObject({ winner: 'tie' });
  });

  it('predicts the target box in the profile convention (smart-resized pixels for qwen2.5-vl)', async () => {
    const { rendered, query } = sceneFixture(22);
    const answer = (await ask('predict_box', `Query: ${query.query}`, [await pngDataUrl(rendered.image)])) as { boxes: { bbox_2d: [number, number, number, number] }[] };
    const box = answer.boxes[0]?.bbox_2d ?? [0, 0, 0, 0];
    const inOriginal = getProfile('qwen2.5-vl').fromModelBox(box, rendered.image);
    const truth = rendered.objects[query.targetIndex ?? 0]?.box ?? [0, 0, 0, 0];
    inOriginal.forEach((value, index) => expect(Math.abs(value - (truth[index] ?? 0)), `coordinate ${index}`).toBeLessThanOrEqual(2));
  });

  it('answers generated VQA problems with the gold answer', async () => {
    let correct = 0;
    const problems = 12;
    for (let seed = 30; seed < 30 + problems; seed += 1) {
      const { rendered } = sceneFixture(seed);
      const problem = generateVqaProblem(rendered.objects, createRng(seed));
      const options = problem.options.length > 0 ? `\nOptions: ${formatOptionsLine(problem.options)}` : '';
      const text = (await ask('answer_vqa', `Question: ${problem.question}${options}`, [await pngDataUrl(rendered.image)])) as string;
      const boxed = /\\boxed\{([^}]*)\}/.exec(text)?.[1];
      if (boxed === problem.answer) correct += 1;
      else expect.soft(boxed, `seed ${seed}: ${problem.question}`).toBe(problem.answer);
    }
    expect(correct).toBe(problems);
  });
});

describe('simulated MLLM failures', () => {
  it('answers 429 and 500 with OpenAI error bodies at the configured rates', async () => {
    const failing = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: { failures: { rate429: 0.5, rate500: 0.5, stallRate: 0, stallMs: 0 } } }) });
    try {
      const statuses = new Set<number>();
      for (let attempt = 0; attempt < 12; attempt += 1) {
        const response = await fetch(`${failing.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: failing.modelId, messages: [{ role: 'user', content: 'hi' }] }),
        });
        statuses.add(response.status);
        const json = (await response.json()) as { error: { type: string } };
        expect(['rate_limit_error', 'server_error']).toContain(json.error.type);
      }
      expect([...statuses].sort()).toEqual([429, 500]);
      expect(failing.metrics.rateLimited + failing.metrics.serverErrors).toBe(12);
    } finally {
      await failing.close();
    }
  });
});
