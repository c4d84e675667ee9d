import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members, so key order never changes the text', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }], skip: undefined })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(canonicalJson({ x: { z: 1, y: 2 } }), 'nested key order').toBe(canonicalJson({ x: { y: 2, z: 1 } }));
  });

  it('writes scalars as JSON does and undefined or a function as null', () => {
    expect([canonicalJson('a"b'), canonicalJson(1.5), canonicalJson(null), canonicalJson(true)]).toEqual(['"a\\"b"', '1.5', 'null', 'true']);
    expect([canonicalJson(undefined), canonicalJson(() => 1)], 'values JSON cannot write').toEqual(['null', 'null']);
    expect(canonicalJson([undefined, 1]), 'undefined in an array, as JSON.stringify writes it').toBe('[null,1]');
  });
});
