/**
 * POST JSON over an injectable fetch with a per-request timeout, user cancellation, retries and error
 * mapping — the transport of the segmenter and embedder clients (the MLLM client uses the openai SDK).
 */
import { cancelledError, httpError, timeoutError, unavailableError } from './backend-errors.js';
import { withRetries } from './retry.js';

export interface JsonHttpOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

/** A function, not an inline check, because TypeScript narrows `signal.aborted` across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function attempt(url: string, body: unknown, options: JsonHttpOptions, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal !== undefined && isAborted(signal)) throw cancelledError(url, signal.reason);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: combined,
    });
    text = await response.text();
  } catch (error) {
    if (isAborted(signal)) throw cancelledError(url, error);
    if (timeout.aborted) throw timeoutError(url, options.timeoutMs, error);
    throw unavailableError(url, error);
  }
  if (!response.ok) throw httpError(response.status, url, text, response.headers, body === undefined ? 'GET' : 'POST');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw unavailableError(url, new Error(`response is not JSON: ${text.slice(0, 200)}`, { cause: error }));
  }
}

/**
 * GET when body is undefined, POST otherwise. Returns the parsed JSON and the retries spent; `onRetry`
 * counts retries of a call that fails in the end (the error itself is never annotated).
 */
export function requestJson(
  url: string,
  body: unknown,
  options: JsonHttpOptions,
  signal?: AbortSignal,
  onRetry?: () => void,
): Promise<{ value: unknown; retries: number }> {
  return withRetries(() => attempt(url, body, options, signal), {
    maxRetries: options.maxRetries,
    signal,
    ...(onRetry === undefined ? {} : { onRetry }),
    ...(options.retryBaseDelayMs === undefined ? {} : { baseDelayMs: options.retryBaseDelayMs }),
  });
}
