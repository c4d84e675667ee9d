import { describe, expect, it } from 'vitest';
import { httpError, retryAfterMs, unavailableError } from './backend-errors.js';
import { backoffDelayMs, withRetries } from './retry.js';

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('withRetries', () => {
  it('retries retryable errors up to maxRetries and counts them', async () => {
    let attempts = 0;
    const result = await withRetries(
      async () => {
        attempts += 1;
        if (attempts < 3) throw httpError(503, 'http://x', 'busy');
        return 'done';
      },
      { maxRetries: 5, baseDelayMs: 1 },
    );
    expect(result).toEqual({ value: 'done', retries: 2 });
  });

  it('gives up after maxRetries, rethrowing the caught error untouched and counting retries through onRetry', async () => {
    const thrown = unavailableError('http://x', new Error('refused'));
    let retries = 0;
    const failure = await withRetries(() => Promise.reject(thrown), { maxRetries: 2, baseDelayMs: 1, onRetry: () => void (retries += 1) }).catch((error: unknown) => error);
    expect(failure, 'the same error object comes back').toBe(thrown);
    expect(thrown.details, 'withRetries wrote into the caught error').toBeUndefined();
    expect(retries).toBe(2);
  });

  it('waits the Retry-After a BackendError carries as a typed field', async () => {
    const delays: number[] = [];
    let attempts = 0;
    await withRetries(
      async () => {
        attempts += 1;
        if (attempts === 1) throw httpError(429, 'http://x', 'slow down', new Headers({ 'retry-after-ms': '30' }));
        return 'ok';
      },
      { maxRetries: 1, baseDelayMs: 1, onRetry: (_error, _attempt, delay) => delays.push(delay) },
    );
    expect(delays).toEqual([30]);
  });

  it('does not retry a 404', async () => {
    let attempts = 0;
    await expect(
      withRetries(
        () => {
          attempts += 1;
          return Promise.reject(httpError(404, 'http://x', 'no such model'));
        },
        { maxRetries: 5, baseDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'backend-http', status: 404, retryable: false });
    expect(attempts).toBe(1);
  });
});

describe('backoffDelayMs', () => {
  it('draws full jitter under a doubling ceiling and honours Retry-After', () => {
    const options = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect(backoffDelayMs(0, options, undefined)).toBe(50);
    expect(backoffDelayMs(3, options, undefined)).toBe(400);
    expect(backoffDelayMs(6, options, undefined)).toBe(500);
    expect(backoffDelayMs(0, options, 3000)).toBe(3000);
  });
});
