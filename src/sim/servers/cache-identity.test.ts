/** The response cache against SIMULATED MLLM servers of different configurations (issue 13). */
import { describe, expect, it } from 'vitest';
import { createOpenAICompatibleClient, createResponseCache } from '../../backends/index.js';
import { taskResponseSchema } from '../../core/index.js';
import { resolveSimConfig, simFingerprint } from '../noise/index.js';
import type { SimConfig } from '../noise/index.js';
import { startSimMllmServer } from './mllm-server.js';

const request = {
  messages: [
    { role: 'system' as const, content: 'Task: judge_pair' },
    { role: 'user' as const, content: 'Query: the red circle' },
  ],
  schema: { name: 'judge_pair', schema: taskResponseSchema('judge_pair') },
  temperature: 0,
};

describe('response cache and sim server configuration', () => {
  it('fingerprints every knob that changes an answer: preset, seed, noise override', () => {
    const paper = simFingerprint(resolveSimConfig({ preset: 'paper-like' }));
    expect(simFingerprint(resolveSimConfig({ preset: 'paper-like' })), 'same config, same fingerprint').toBe(paper);
    const others = [
      resolveSimConfig({ preset: 'weak' }),
      resolveSimConfig({ preset: 'paper-like', seed: 1 }),
      resolveSimConfig({ preset: 'paper-like', noise: { judging: { positionBias: 0.9 } } }),
      resolveSimConfig({ preset: 'paper-like', profile: 'qwen3-vl' }),
    ];
    for (const config of others) expect(simFingerprint(config), JSON.stringify({ preset: config.preset, seed: config.seed })).not.toBe(paper);
  });

  it('a weak-preset run cannot replay paper-like answers; the same configuration replays them', async () => {
    const cache = createResponseCache(':memory:');
    const ask = async (config: SimConfig) => {
      const server = await startSimMllmServer({ config, host: '127.0.0.1', port: 0 });
      try {
        const client = createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: server.modelId, cache, timeoutMs: 5000 });
        const result = await client.chat(request);
        return { hit: result.call.cacheHit, completions: server.metrics.completions };
      } finally {
        await server.close();
      }
    };
    expect(await ask(resolveSimConfig({ preset: 'paper-like' })), 'first paper-like run asks the server').toEqual({ hit: false, completions: 1 });
    expect(await ask(resolveSimConfig({ preset: 'weak' })), 'a weak server is asked, not replayed').toEqual({ hit: false, completions: 1 });
    expect(await ask(resolveSimConfig({ preset: 'paper-like', seed: 5 })), 'another seed is asked').toEqual({ hit: false, completions: 1 });
    expect(await ask(resolveSimConfig({ preset: 'paper-like', noise: { judging: { positionBias: 0.9 } } })), 'a noise override is asked').toEqual({ hit: false, completions: 1 });
    expect(await ask(resolveSimConfig({ preset: 'paper-like' })), 'a new paper-like server with the same config replays').toEqual({ hit: true, completions: 0 });
    cache.close();
  });
});
