/**
 * Every rejection leaves the server as `{error: {code, message, hint}}` with a 4xx/5xx status chosen from
 * the error's code. Unknown errors become a generic 500 (logged server-side); no stack trace reaches a client.
 */
import type { Context } from 'hono';
import { isMmevolveError, mmevolveError } from '../core/index.js';
import type { MmevolveError } from '../core/index.js';
import { BackendError } from '../backends/index.js';

/** Codes the server itself raises, besides the core ones. */
export const SERVER_ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'payload-too-large',
  'image-too-large',
  'query-too-long',
  'rate-limited',
  'backend-not-configured',
  'unsupported-media-type',
  'overloaded',
] as const;

const STATUS_BY_CODE: Record<string, number> = {
  'invalid-input': 400,
  'invalid-rle': 400,
  'invalid-dataset': 400,
  'size-mismatch': 400,
  'config-invalid': 400,
  'query-too-long': 400,
  'unreadable-image': 422,
  'unauthorized': 401,
  'forbidden': 403,
  'not-found': 404,
  'conflict': 409,
  'payload-too-large': 413,
  'image-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  'invalid-model-output': 502,
  'backend-http': 503,
  'backend-timeout': 503,
  'backend-unavailable': 503,
  'backend-not-configured': 503,
  'overloaded': 503,
  'embedding-mismatch': 503,
  'memory-unavailable': 503,
  // The client went away or cancelled; nginx's 499 is the customary status (rarely seen by anyone).
  'cancelled': 499,
};

export interface ErrorBody {
  error: { code: string; message: string; hint: string };
}

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** A backend that refused the request itself (e.g. 401, 404: not retryable) is a 502, not an outage. */
export function statusForError(error: MmevolveError): number {
  if (error instanceof BackendError && error.code === 'backend-http' && !error.retryable) return 502;
  return statusForCode(error.code);
}

/** Seconds a client should wait before retrying a 429/503: the backend's own Retry-After when it sent one. */
export function retryAfterSeconds(error: MmevolveError): number | undefined {
  const status = statusForError(error);
  if (status !== 429 && status !== 503) return undefined;
  const wait = error.retryAfterMs;
  if (wait !== undefined && Number.isFinite(wait) && wait > 0) return Math.max(1, Math.ceil(wait / 1000));
  return status === 429 ? 1 : 5;
}

export function errorBody(error: MmevolveError): ErrorBody {
  return { error: { code: error.code, message: error.message, hint: error.hint } };
}

export type ErrorLogger = (message: string, error: unknown) => void

/**
 * Map a thrown value to a response. MmevolveError → its status and text; a backend outage adds a hint
 * that nothing was written; anything else → 500 with a generic message (the original goes to `log`).
 */
export function errorResponse(context: Context, thrown: unknown, log: ErrorLogger): Response {
  const error = isMmevolveError(thrown) ? thrown : undefined;
  if (error === undefined) {
    log(`unhandled error on ${context.req.method} ${context.req.path}`, thrown);
    const generic = mmevolveError('internal', 'internal server error', 'This is a bug in mmevolve; the server log has the details. Retry, or report it with the time of the request.');
    return context.json(errorBody(generic), 500);
  }
  const status = statusForError(error);
  if (status >= 500 && status !== 503) log(`${error.code} on ${context.req.method} ${context.req.path}`, error);
  const retryAfter = retryAfterSeconds(error);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
  const body = errorBody(error);
  if ((status === 503 || status === 502) && error.code !== 'backend-not-configured') {
    body.error.hint = retryAfter === undefined ? `${error.hint} Nothing was written.` : `${error.hint} Nothing was written; retry after ${retryAfter} s.`;
  }
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8', ...headers } });
}

/** Shorthand for route code: throw apiError('forbidden', …). */
export function apiError(code: (typeof SERVER_ERROR_CODES)[number] | 'invalid-input' | 'not-found' | 'conflict', message: string, hint: string): MmevolveError {
  return mmevolveError(code, message, hint);
}
