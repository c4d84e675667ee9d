/**
 * The JSON depth limit on its own. That every route reading a body answers a too-deep one with this 400
 * (and nothing else) is replayed route by route in fuzz-and-faults.test.ts (DEEP_JSON_ROUTES).
 */
import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { statusForCode } from './api-errors.js';
import { deepJson } from './hostile-inputs.js';
import { MAX_JSON_DEPTH, jsonDepth, parseBoundedJson } from './json-depth.js';

function refusal(text: string): { status: number; message: string } {
  try {
    parseBoundedJson(text, 'test body');
  } catch (error) {
    if (!isMmevolveError(error)) throw new Error(`expected a typed refusal, got ${String(error)}`);
    return { status: statusForCode(error.code), message: error.message };
  }
  throw new Error('the body was accepted');
}

describe('the JSON depth limit', () => {
  it('counts the deepest nesting of arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(jsonDepth('{"a": [1, {"b": []}]}')).toBe(4);
    expect(jsonDepth('"[[[[[[["')).toBe(0);
    expect(jsonDepth('{"text": "a \\" quote then [[[ in the string", "list": [[]]}')).toBe(3);
    expect(jsonDepth('[[], [], [[]]]')).toBe(3);
    expect(jsonDepth(deepJson(5000), 10), 'stops counting once past the limit it was given').toBe(11);
  });

  it('parses a body at the limit and refuses one a level deeper with a 400 naming the limit', () => {
    expect(parseBoundedJson(deepJson(MAX_JSON_DEPTH), 'test body')).toBeInstanceOf(Array);
    const refused = refusal(deepJson(MAX_JSON_DEPTH + 1));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain(`nested more than ${MAX_JSON_DEPTH} levels`);
  });

  it('refuses the audit\'s 5,000-deep extra field of a chat request in one pass, before JSON.parse and any walker', () => {
    const body = `{"model": "m", "messages": [{"role": "user", "content": "hi"}], "extra": ${deepJson(5000)}}`;
    expect(() => JSON.stringify(JSON.parse(body)), 'the body a walker cannot handle (the 500 of the audit)').toThrow(RangeError);
    expect(refusal(body).status).toBe(400);
  });

  it('answers text that is not JSON with a 400 too', () => {
    const refused = refusal('{"question": ');
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('not JSON');
  });
});
