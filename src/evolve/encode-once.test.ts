/**
 * Engine CPU per sample (issue 18): an evol sample encodes each distinct image it sends once — the raw
 * image and each overlay for the MLLM (JPEG), the image for the segmenter (PNG) — however many fights,
 * verifications and segmenter requests send it again. Counted at the encoder (sharp fed raw pixels),
 * against the SIMULATED MLLM and SAM 3 servers on loopback.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenAICompatibleClient, createSam3Segmenter } from '../backends/index.js';
import { getProfile } from '../protocols/index.js';
import { startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { resolveEvolveConfig } from './config.js';
import { runSegmentation } from './run-segmentation.js';
import { simScene } from './__tests__/sim-backends.js';

const encoder = vi.hoisted(() => ({ rawEncodes: 0 }));

vi.mock('sharp', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('sharp') }>()).default;
  const counting = (...args: Parameters<typeof real>): ReturnType<typeof real> => {
    const options = args[1] as { raw?: { channels?: number } } | undefined;
    if (options?.raw?.channels === 3) encoder.rawEncodes += 1;
    return real(...args);
  };
  return { default: Object.assign(counting, real) };
});

let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

beforeAll(async () => {
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'paper-like' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'paper-like' });
});

afterAll(async () => {
  await mllm.close();
  await segmenter.close();
});

/** Every image the clients put on the wire: chat image URLs and segmenter base64 payloads. */
function recordingFetch(sent: string[]): typeof fetch {
  return async (input, init) => {
    if (typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { messages?: Array<{ content?: unknown }>; image?: { value?: string } };
      if (body.image?.value !== undefined) sent.push(`segmenter:${body.image.value}`);
      for (const message of body.messages ?? []) {
        if (!Array.isArray(message.content)) continue;
        for (const part of message.content as Array<{ type?: string; image_url?: { url?: string } }>) if (part.type === 'image_url' && part.image_url?.url !== undefined) sent.push(`mllm:${part.image_url.url}`);
      }
    }
    return fetch(input, init);
  };
}

describe('image encodes of an evol sample', () => {
  it('encodes each distinct image once across the fights, verifications and segmenter requests of a sample, for both presets', async () => {
    for (const preset of ['published', 'improved'] as const) {
      for (const seed of [3, 8]) {
        const scene = simScene(seed);
        const sent: string[] = [];
        const backends = {
          // The client's defaults (JPEG, framed to the profile), as `mmevolve eval` sends images.
          mllm: createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: getProfile('qwen2.5-vl'), retryBaseDelayMs: 1, fetch: recordingFetch(sent) }),
          segmenter: createSam3Segmenter({ baseURL: segmenter.url, retryBaseDelayMs: 1, fetch: recordingFetch(sent) }),
        };
        const before = encoder.rawEncodes;
        const result = await runSegmentation('evol', scene.image, scene.query, { backends, config: resolveEvolveConfig(preset), isSentence: scene.isSentence });
        const encodes = encoder.rawEncodes - before;
        const distinct = new Set(sent).size;
        expect(result.counters.judgeCalls, `${preset} seed ${seed}: the sample has judge calls showing overlays`).toBeGreaterThan(0);
        expect(sent.length, `${preset} seed ${seed}: images go out more often than there are distinct ones`).toBeGreaterThan(distinct);
        expect(encodes, `${preset} seed ${seed}: encodes (sharp from raw pixels) vs distinct images sent (${sent.length} sent)`).toBe(distinct);
      }
    }
  });
});
