import { describe, expect, it } from 'vitest';
import { MmevolveError, isMmevolveError, mmevolveError } from './errors.js';

describe('MmevolveError', () => {
  it('carries a code, a hint and the cause it wraps', () => {
    const cause = new Error('disk full');
    const error = mmevolveError('unreadable-image', 'cannot read a.jpg', 'check the file', cause);
    expect(error.code).toBe('unreadable-image');
    expect(error.hint).toBe('check the file');
    expect(error.cause).toBe(cause);
    expect(error.toUserString()).toBe('cannot read a.jpg\n  hint: check the file');
  });

  it('is recognised by the type guard and nothing else is', () => {
    expect(isMmevolveError(new MmevolveError({ code: 'internal', message: 'x', hint: 'y' }))).toBe(true);
    expect(isMmevolveError(new Error('plain'))).toBe(false);
    expect(isMmevolveError({ code: 'internal', message: 'duck', hint: 'typed' })).toBe(false);
  });

  it('serialises to the JSON error body the server returns', () => {
    const error = mmevolveError('not-found', 'no such lesson', 'list lessons with mmevolve memory list');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'not-found',
      message: 'no such lesson',
      hint: 'list lessons with mmevolve memory list',
    });
  });
});
