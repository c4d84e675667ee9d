import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle, maskBox } from '../vision/index.js';
import type { CocoRle } from '../vision/index.js';
import { startOracleSegmentStack } from './oracle-segment-test-support.js';
import type { OracleSegmentStack } from './oracle-segment-test-support.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let stack: OracleSegmentStack;
let server: TestServer;
let key: string;
let imageUrl: string;
let query: string;

beforeAll(async () => {
  stack = await startOracleSegmentStack(7);
  ({ server, key, imageUrl, query } = stack);
});

afterAll(async () => {
  await stack.close();
});

/**
 * The request lmms-eval sends for a SA-Co doc through its OpenAI model (lmms_eval/models/simple/openai.py:
 * one user message, a text part with doc_to_text — the expression — then an image_url data URL; max_tokens
 * from the task's generation_kwargs, 2048 in tasks/saco/_default_template_saco_gold_yaml; temperature 0).
 */
function lmmsEvalSacoRequest(model: string, images: readonly string[] = [imageUrl]): unknown {
  return {
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: query }, ...images.map((url) => ({ type: 'image_url', image_url: { url } }))] }],
    max_tokens: 2048,
    temperature: 0,
  };
}

interface ChatCompletion {
  object: string;
  model: string;
  choices: { message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('POST /v1/chat/completions with model mmevolve-segment (SIMULATED MLLM and SAM 3)', () => {
  it("answers lmms-eval's SA-Co request with the {masks, boxes, scores} JSON its parse_predicted_masks reads", async () => {
    const response = await server.request('/v1/chat/completions', { method: 'POST', key, json: lmmsEvalSacoRequest('mmevolve-segment') });
    expect(response.status, await response.clone().text()).toBe(200);
    const completion = (await response.json()) as ChatCompletion;
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('mmevolve-segment');
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(completion.usage.total_tokens).toBe(completion.usage.prompt_tokens + completion.usage.completion_tokens);
    // tasks/saco/utils.py: json.loads(content) is a dict → data.get("masks") → the dicts among them.
    const answer = JSON.parse(completion.choices[0]?.message.content ?? '') as { masks: CocoRle[]; boxes: number[][]; scores: number[] };
    expect(Object.keys(answer)).toEqual(['masks', 'boxes', 'scores']);
    expect(answer.masks.length, 'the oracle finds the target').toBeGreaterThan(0);
    expect(answer.boxes).toHaveLength(answer.masks.length);
    expect(answer.scores).toEqual(answer.masks.map(() => 1));
    const covered = new Uint8Array(320 * 240);
    answer.masks.forEach((rle, index) => {
      expect(rle.size, 'RLE size is [height, width]').toEqual([240, 320]);
      const mask = decodeRle(rle);
      expect(answer.boxes[index], `box of instance ${index}`).toEqual(maskBox(mask));
      mask.data.forEach((value, pixel) => {
        if (value !== 0) {
          expect(covered[pixel], 'instances do not overlap').toBe(0);
          covered[pixel] = 1;
        }
      });
    });
  });

  it('needs the segment scope, one image and a known method', async () => {
    const solveOnly = await server.keyFor('bob', ['solve']);
    const forbidden = await server.request('/v1/chat/completions', { method: 'POST', key: solveOnly, json: lmmsEvalSacoRequest('mmevolve-segment') });
    expect(forbidden.status).toBe(403);
    expect((await errorOf(forbidden)).message).toContain('"segment" scope');
    const twoImages = await server.request('/v1/chat/completions', { method: 'POST', key, json: lmmsEvalSacoRequest('mmevolve-segment', [imageUrl, imageUrl]) });
    expect(twoImages.status).toBe(400);
    expect((await errorOf(twoImages)).message).toContain('exactly one image, got 2');
    const unknown = await server.request('/v1/chat/completions', { method: 'POST', key, json: lmmsEvalSacoRequest('mmevolve-segment:magic') });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toContain('unknown segmentation method "magic"');
  });

  it('is listed by GET /v1/models, alone without an MLLM upstream and after the upstream models with one', async () => {
    const alone = await server.request('/v1/models', { key });
    expect(alone.status, await alone.clone().text()).toBe(200);
    const aloneIds = ((await alone.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    expect(aloneIds, 'no upstream configured: only the models this server answers').toEqual([
      'mmevolve-segment',
      'mmevolve-segment:evol',
      'mmevolve-segment:single',
      'mmevolve-segment:box',
      'mmevolve-segment:agent',
      'mmevolve-segment:concept-only',
    ]);
    const withUpstream = await createTestServer({ backends: stack.backends, upstream: { baseURL: `${stack.mllm.url}/v1` } });
    try {
      const response = await withUpstream.request('/v1/models', { key: await withUpstream.keyFor('alice') });
      const listed = (await response.json()) as { object: string; data: { id: string; root?: string }[] };
      expect(listed.object).toBe('list');
      expect(listed.data[0]?.id, "the MLLM server's model first").toBe(stack.mllm.modelId);
      expect(listed.data[0]?.root, 'upstream entries keep their fields').toContain('mmevolve-sim');
      expect(listed.data.map((model) => model.id).slice(1)).toEqual(aloneIds);
    } finally {
      await withUpstream.close();
    }
  });
});
