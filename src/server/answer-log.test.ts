import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { AnswerLog } from './answer-log.js';
import type { ProxiedAnswer } from './answer-log.js';

const answer = (id: string, text = 'x'): ProxiedAnswer => ({ id, question: 'q', images: [], answer: text, model: 'm' });

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return isMmevolveError(error) ? error.code : 'not an mmevolve error';
  }
}

describe('the answer log behind /v1/feedback', () => {
  it('forgets an answer after ttlSeconds', () => {
    let now = 0;
    const log = new AnswerLog({ ttlSeconds: 10 }, () => now);
    log.keep('t', answer('a'));
    now = 9_000;
    expect(log.get('t', 'a'), 'still kept within the TTL').toBeDefined();
    now = 10_001;
    expect(log.get('t', 'a'), 'gone after the TTL').toBeUndefined();
    expect(codeOf(() => log.claim('t', 'a'))).toBe('not-found');
  });

  it('drops the oldest answers beyond the count and byte bounds, per tenant', () => {
    const log = new AnswerLog({ maxAnswersPerTenant: 2, maxBytesPerTenant: 100 });
    log.keep('t', answer('a'));
    log.keep('t', answer('b'));
    log.keep('t', answer('c'));
    log.keep('other', answer('a'));
    expect(log.get('t', 'a'), 'the oldest of three went').toBeUndefined();
    expect(log.size('t').answers).toBe(2);
    expect(log.get('other', 'a'), 'another tenant is bounded on its own').toBeDefined();
    log.keep('t', answer('big', 'y'.repeat(90)));
    expect(log.size('t').bytes, 'bytes stay within the bound').toBeLessThanOrEqual(100);
    expect(log.get('t', 'big')).toBeDefined();
    expect(log.keep('t', answer('huge', 'z'.repeat(200))), 'an answer over the byte bound alone is not kept').toBe(false);
  });

  it('takes one feedback per answer, and reopens it when learning failed', () => {
    const log = new AnswerLog();
    log.keep('t', answer('a'));
    expect(codeOf(() => log.claim('u', 'a')), "another tenant's id").toBe('not-found');
    log.claim('t', 'a');
    expect(codeOf(() => log.claim('t', 'a')), 'while the first is being learned from').toBe('conflict');
    log.settle('t', 'a', false);
    log.claim('t', 'a');
    log.settle('t', 'a', true);
    expect(codeOf(() => log.claim('t', 'a')), 'after it was used').toBe('conflict');
  });
});
