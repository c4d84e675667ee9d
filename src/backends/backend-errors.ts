/**
 * HTTP and transport failures as BackendError (codes 'backend-http' with status, url, body, retryable and
 * retryAfterMs as fields; 'backend-timeout', 'backend-unavailable', 'cancelled'). Retry policy follows issue 5:
 * 429 and 5xx, connection errors and timeouts are retried; any other 4xx never is.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { MmevolveError, isMmevolveError } from '../core/index.js';

const MAX_BODY_IN_DETAILS = 2000;

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After (seconds or HTTP date) or OpenAI's retry-after-ms, in milliseconds; undefined when absent. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && Number.isFinite(Number(milliseconds))) return Math.max(0, Number(milliseconds));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type BackendErrorCode = 'backend-http' | 'backend-timeout' | 'backend-unavailable' | 'cancelled';

export interface BackendErrorOptions {
  code: BackendErrorCode;
  message: string;
  hint: string;
  url: string;
  retryable: boolean;
  status?: number | undefined;
  method?: string | undefined;
  /** The response body (cut to 2,000 characters). */
  body?: string | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A failed backend call, built once at the transport edge (json-http.ts, openai-client.ts): what retries,
 * the server's error mapping and reports need are typed fields, never keys of an untyped bag.
 */
export class BackendError extends MmevolveError {
  declare readonly code: BackendErrorCode;
  /** The HTTP status when the server answered. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly url: string;
  readonly method: string | undefined;
  readonly body: string | undefined;

  constructor(options: BackendErrorOptions) {
    super({ code: options.code, message: options.message, hint: options.hint, cause: options.cause, retryAfterMs: options.retryAfterMs });
    this.name = 'BackendError';
    this.status = options.status;
    this.retryable = options.retryable;
    this.url = options.url;
    this.method = options.method;
    this.body = options.body;
  }
}

/**
 * The human message inside an error body, in the shapes upstream servers use (src/protocols/__contracts__):
 * `{error: {message}}` (OpenAI, Ollama, llama.cpp, newer vLLM), `{message}` (vLLM's flat ErrorResponse),
 * `{detail: string | [{msg}]}` (FastAPI: the Roboflow inference server). Undefined for anything else.
 */
export function upstreamErrorMessage(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const nested = record['error'];
  if (typeof nested === 'object' && nested !== null && typeof (nested as Record<string, unknown>)['message'] === 'string') return (nested as Record<string, string>)['message'];
  if (typeof nested === 'string') return nested;
  if (typeof record['message'] === 'string') return record['message'];
  const detail = record['detail'];
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((entry) => (typeof entry === 'object' && entry !== null ? String((entry as Record<string, unknown>)['msg'] ?? '') : String(entry))).join('; ');
  return undefined;
}

export function httpError(status: number, url: string, body: string, headers?: Headers, method = 'POST'): BackendError {
  const retryable = isRetryableStatus(status);
  const shortBody = body.length > MAX_BODY_IN_DETAILS ? `${body.slice(0, MAX_BODY_IN_DETAILS)}…` : body;
  const reason = upstreamErrorMessage(body) ?? shortBody;
  return new BackendError({
    code: 'backend-http',
    message: `HTTP ${status} from ${method} ${url}: ${reason.slice(0, 300) || '(empty body)'}`,
    hint:
      status === 401 || status === 403
        ? 'Check the API key (MMEVOLVE_API_KEY, OPENAI_API_KEY or the backend apiKeyEnv / --api-key-env).'
        : status === 404
          ? 'Check baseURL (OpenAI-compatible servers usually end in /v1) and the model id (mmevolve backends check).'
          : retryable
            ? 'The server is overloaded or failing; retries were exhausted. Lower concurrency or requestsPerMinute.'
            : 'The server rejected the request; see the body for the reason.',
    url,
    status,
    method,
    body: shortBody,
    retryable,
    retryAfterMs: retryAfterMs(headers),
  });
}

/** A server that answered 2xx with something that is not its protocol's response (never retried). */
export function protocolError(url: string, message: string, hint: string): BackendError {
  return new BackendError({ code: 'backend-http', message, hint, url, retryable: false });
}

export function timeoutError(url: string, timeoutMs: number, cause?: unknown): BackendError {
  return new BackendError({
    code: 'backend-timeout',
    message: `no response from ${url} within ${timeoutMs} ms`,
    hint: 'Raise timeoutMs for slow models or check that the server is not stalled.',
    cause,
    url,
    retryable: true,
  });
}

export function unavailableError(url: string, cause?: unknown): BackendError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BackendError({
    code: 'backend-unavailable',
    message: `cannot reach ${url}: ${reason}`,
    hint: 'Start the server or fix baseURL in mmevolve.config.* / --base-url (mmevolve backends check).',
    cause,
    url,
    retryable: true,
  });
}

export function cancelledError(url: string, cause?: unknown): BackendError {
  return new BackendError({ code: 'cancelled', message: `request to ${url} was cancelled`, hint: 'The caller aborted the request (AbortSignal).', cause, url, retryable: false });
}

export const BACKEND_ERROR_CODES = ['backend-http', 'backend-timeout', 'backend-unavailable', 'cancelled', 'invalid-model-output'] as const;

/** True for errors a backend call raises (HTTP, timeout, unreachable, cancelled, unusable model output). */
export function isBackendError(error: unknown): error is MmevolveError {
  return isMmevolveError(error) && (BACKEND_ERROR_CODES as readonly string[]).includes(error.code);
}

export function isRetryableError(error: unknown): boolean {
  return error instanceof BackendError && error.retryable;
}

/** Map anything the openai SDK (or fetch) throws to our codes. `signal` tells a user abort from a timeout. */
export function toBackendError(error: unknown, url: string, timeoutMs: number, signal?: AbortSignal, method = 'POST'): MmevolveError {
  if (isMmevolveError(error)) return error;
  if (signal?.aborted === true || error instanceof APIUserAbortError) return cancelledError(url, error);
  if (error instanceof APIConnectionTimeoutError) return timeoutError(url, timeoutMs, error);
  if (error instanceof APIConnectionError) return unavailableError(url, error.cause ?? error);
  if (error instanceof APIError && typeof error.status === 'number') {
    // The SDK keeps only the body's `error` member; put it back under `error` for upstreamErrorMessage.
    const body = error.error === undefined ? error.message : JSON.stringify({ error: error.error });
    return httpError(error.status, url, body, error.headers, method);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return error.name === 'TimeoutError' ? timeoutError(url, timeoutMs, error) : cancelledError(url, error);
  }
  return unavailableError(url, error);
}
