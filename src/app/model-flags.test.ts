/** The zero-config model flags and the environment, as the OpenAI SDK reads it (OPENAI_BASE_URL, OPENAI_API_KEY). */
import { describe, expect, it } from 'vitest';
import { resolveApiKey } from '../backends/index.js';
import { OPENAI_DEFAULT_BASE_URL, applyModelFlags } from './model-flags.js';

const noFetch: typeof fetch = () => Promise.reject(new Error('no network in this test'));

describe('model flags and the OpenAI environment', () => {
  it('fills the MLLM base URL from OPENAI_BASE_URL only when neither a flag nor the file gives one, else the SDK default', async () => {
    const env = { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' };
    const fromEnv = (await applyModelFlags(undefined, { model: 'm' }, env, noFetch))['backends'] as { mllm: { baseURL: string } };
    expect(fromEnv.mllm.baseURL, 'the environment fills the gap').toBe('http://127.0.0.1:8000/v1');
    const fromFlag = (await applyModelFlags(undefined, { model: 'm', baseUrl: 'http://127.0.0.1:9000/v1' }, env, noFetch))['backends'] as { mllm: { baseURL: string } };
    expect(fromFlag.mllm.baseURL, '--base-url wins').toBe('http://127.0.0.1:9000/v1');
    const fromFile = (await applyModelFlags({ backends: { mllm: { baseURL: 'http://127.0.0.1:7000/v1', model: 'f' } } }, {}, env, noFetch))['backends'] as { mllm: { baseURL: string; model: string } };
    expect(fromFile.mllm, 'the file wins over the environment').toEqual({ baseURL: 'http://127.0.0.1:7000/v1', model: 'f' });
    const none = (await applyModelFlags(undefined, { model: 'm' }, {}, noFetch))['backends'] as { mllm: { baseURL: string } };
    expect(none.mllm.baseURL, 'as the OpenAI SDK: its default URL').toBe(OPENAI_DEFAULT_BASE_URL);
    await expect(applyModelFlags(undefined, { model: 'm' }, { OPENAI_BASE_URL: 'not a url' }, noFetch), 'a bad value names the variable').rejects.toThrow(/OPENAI_BASE_URL/u);
  });

  it('reads OPENAI_API_KEY for the MLLM when no apiKeyEnv or MMEVOLVE_API_KEY is set', () => {
    expect(resolveApiKey({}, 'mllm', { OPENAI_API_KEY: 'sk-o' }, true)).toBe('sk-o');
  });
});
