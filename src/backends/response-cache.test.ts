import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, createResponseCache } from './response-cache.js';

describe('response cache', () => {
  it('keeps responses across a reopen of the SQLite file (a rerun in a new process)', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'mmevolve-cache-')), 'nested', 'cache.sqlite');
    const first = createResponseCache(path);
    first.set('k1', 'model', { text: '{"a":1}', usage: { promptTokens: 5, completionTokens: 2 } });
    first.close();
    const second = createResponseCache(path);
    expect(second.get('k1')).toEqual({ text: '{"a":1}', usage: { promptTokens: 5, completionTokens: 2 } });
    expect(second.get('missing')).toBeUndefined();
    expect(second.size()).toBe(1);
    second.close();
  });

  it('derives the same key whatever the object key order, and a different key for any changed value', () => {
    expect(cacheKey({ b: 1, a: [1, { d: 2, c: 3 }], skip: undefined }), 'nested key order and undefined members do not count').toBe(cacheKey({ a: [1, { c: 3, d: 2 }], b: 1 }));
    expect(cacheKey({ model: 'm', temperature: 0 })).toBe(cacheKey({ temperature: 0, model: 'm' }));
    expect(cacheKey({ model: 'm', temperature: 0 })).not.toBe(cacheKey({ model: 'm', temperature: 0.1 }));
  });
});
