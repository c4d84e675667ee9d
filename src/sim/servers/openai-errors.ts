/**
 * Error bodies exactly as OpenAI-compatible servers send them:
 * `{"error": {"message", "type", "param", "code"}}` with 400 / 404 / 429 / 500.
 */
import type { Context } from 'hono';
import type { z } from 'zod';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiError(message: string, type: string, param: string | null, code: string | null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** First zod issue as a 400 body naming the offending parameter path. */
export function invalidRequest(error: z.ZodError): OpenAiErrorBody {
  const issue = error.issues[0];
  const param = issue === undefined || issue.path.length === 0 ? null : issue.path.map(String).join('.');
  const message = issue === undefined ? 'Invalid request body' : `Invalid value for '${param ?? 'body'}': ${issue.message}`;
  return openAiError(message, 'invalid_request_error', param, 'invalid_value');
}

export const RATE_LIMIT_BODY = openAiError('Rate limit reached for requests (simulated). Retry after 1s.', 'rate_limit_error', null, 'rate_limit_exceeded');
export const SERVER_ERROR_BODY = openAiError('The server had an error while processing your request (simulated).', 'server_error', null, null);

/** Parse a JSON body; undefined when it is not JSON (caller answers 400). */
export async function readJson(context: Context): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: await context.req.json() };
  } catch {
    // Not JSON: an expected client error, answered with a 400 body by the caller.
    return { ok: false };
  }
}

export const NOT_JSON_BODY = openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', null, 'invalid_json');
