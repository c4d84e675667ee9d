import { describe, expect, it } from 'vitest';
import { parseConfig, resolveApiKey } from './config.js';
import { createBackends, profileFor } from './create-backends.js';

const example = {
  backends: {
    mllm: { baseURL: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen2.5-VL-7B-Instruct' },
    judge: { baseURL: 'http://127.0.0.1:8001/v1', model: 'OpenGVLab/InternVL3_5-8B', apiKeyEnv: 'JUDGE_KEY', supportsJsonSchema: false },
    segmenter: { baseURL: 'http://127.0.0.1:9001', format: 'polygon' },
    embedder: { kind: 'offline' },
  },
  cache: { path: ':memory:' },
};

describe('configuration', () => {
  it('parses a complete config with defaults filled in', () => {
    const config = parseConfig(example);
    expect(config.backends.mllm?.profile).toBe('auto');
    expect(config.backends.mllm?.supportsJsonSchema).toBe(true);
    expect(config.backends.segmenter?.maxPromptsPerRequest).toBe(16);
    expect(config.backends.embedder).toEqual({ kind: 'offline', dimensions: 256 });
    expect(config.cache.enabled).toBe(true);
  });

  it('names the path of the bad field in the error', () => {
    const bad = { backends: { judge: { baseURL: 'not a url', model: 'm' } } };
    expect(() => parseConfig(bad, 'mmevolve.config.json')).toThrow(/mmevolve\.config\.json: backends\.judge\.baseURL/);
    expect(() => parseConfig({ backends: { mllm: { baseURL: 'http://x/v1', model: 'm', temprature: 0 } } })).toThrow(/backends\.mllm/);
  });

  it('takes keys from the named variable, else MMEVOLVE_API_KEY, and fails when a named variable is unset', () => {
    expect(resolveApiKey({ apiKeyEnv: 'JUDGE_KEY' }, 'judge', { JUDGE_KEY: 'j', MMEVOLVE_API_KEY: 's' })).toBe('j');
    expect(resolveApiKey({}, 'mllm', { MMEVOLVE_API_KEY: 's' })).toBe('s');
    expect(resolveApiKey({}, 'mllm', {})).toBeUndefined();
    expect(() => resolveApiKey({ apiKeyEnv: 'JUDGE_KEY' }, 'judge', {})).toThrow(/JUDGE_KEY/);
    expect(resolveApiKey({}, 'mllm', { OPENAI_API_KEY: 'o' }, true), 'OpenAI-protocol backends read OPENAI_API_KEY as the SDK does').toBe('o');
    expect(resolveApiKey({}, 'mllm', { OPENAI_API_KEY: 'o', MMEVOLVE_API_KEY: 's' }, true)).toBe('s');
    expect(resolveApiKey({}, 'segmenter', { OPENAI_API_KEY: 'o' }), 'a SAM 3 server never gets the OpenAI key').toBeUndefined();
  });

  it('detects profiles from model ids and builds every configured backend', () => {
    const config = parseConfig(example);
    expect(profileFor({ profile: 'auto', model: 'Qwen/Qwen2.5-VL-7B-Instruct' }).name).toBe('qwen2.5-vl');
    expect(profileFor({ profile: 'auto', model: 'my-own-model' }).family).toBe('generic');
    const backends = createBackends(config, { env: { JUDGE_KEY: 'k' } });
    expect(backends.mllm?.profileName).toBe('qwen2.5-vl');
    expect(backends.judge?.supportsJsonSchema).toBe(false);
    expect(backends.embedder?.kind).toBe('lexical-perceptual');
    expect(backends.segmenter).toBeDefined();
    backends.close();
    const withoutJudge = createBackends(parseConfig({ backends: { mllm: example.backends.mllm }, cache: { enabled: false } }));
    expect(withoutJudge.judge).toBe(withoutJudge.mllm);
    expect(withoutJudge.embedder).toBeUndefined();
  });
});
