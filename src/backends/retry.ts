/**
 * Retries with exponential backoff and full jitter (AWS architecture blog "Exponential Backoff And Jitter"),
 * honouring a server's Retry-After. Only BackendErrors with `retryable` are retried. The count is returned
 * on success; on failure the caught error is rethrown untouched and callers count retries with `onRetry`.
 */
import { isMmevolveError } from '../core/index.js';
import { cancelledError, isRetryableError } from './backend-errors.js';

export interface RetryOptions {
  maxRetries: number;
  /** First backoff ceiling; doubles per attempt. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal | undefined;
  /** Injectable for deterministic tests; defaults to Math.random. */
  random?: () => number;
  /** Called before each retry (tests and logs). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export interface Retried<T> {
  value: T;
  retries: number;
}

/** Resolves after `milliseconds`, rejects with 'cancelled' as soon as the signal aborts. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal, url = 'backend'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(cancelledError(url, signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError(url, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function backoffDelayMs(attempt: number, options: RetryOptions, retryAfter: number | undefined): number {
  const base = options.baseDelayMs ?? 200;
  const maximum = options.maxDelayMs ?? 10_000;
  const ceiling = Math.min(maximum, base * 2 ** attempt);
  const jittered = (options.random ?? Math.random)() * ceiling;
  // Retry-After is the server's explicit wish; honour it (bounded so a bogus header cannot hang a run).
  return retryAfter === undefined ? jittered : Math.min(Math.max(retryAfter, jittered), Math.max(maximum, 60_000));
}

export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<Retried<T>> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { value: await operation(attempt), retries: attempt };
    } catch (error) {
      if (attempt >= options.maxRetries || !isRetryableError(error) || options.signal?.aborted === true) throw error;
      const delay = backoffDelayMs(attempt, options, isMmevolveError(error) ? error.retryAfterMs : undefined);
      options.onRetry?.(error, attempt + 1, delay);
      await abortableSleep(delay, options.signal);
    }
  }
}
