import { describe, expect, it } from 'vitest';
import { deepMerge, isPlainRecord } from './merge.js';

describe('deepMerge', () => {
  it('merges nested objects key by key, lets overrides win and replaces arrays and scalars whole', () => {
    const base = { a: 1, nested: { keep: true, change: 'old', deeper: { x: 1 } }, list: [1, 2, 3] };
    const merged = deepMerge(base, { nested: { change: 'new', deeper: { y: 2 } }, list: [9], extra: null });
    expect(merged).toEqual({ a: 1, nested: { keep: true, change: 'new', deeper: { x: 1, y: 2 } }, list: [9], extra: null });
  });

  it('leaves both inputs untouched', () => {
    const base = { nested: { value: 1 } };
    const override = { nested: { value: 2 } };
    deepMerge(base, override);
    expect(base).toEqual({ nested: { value: 1 } });
    expect(override).toEqual({ nested: { value: 2 } });
  });

  it('treats only non-null, non-array objects as plain records', () => {
    expect(isPlainRecord({})).toBe(true);
    expect(isPlainRecord(null)).toBe(false);
    expect(isPlainRecord([])).toBe(false);
    expect(isPlainRecord('text')).toBe(false);
  });
});
