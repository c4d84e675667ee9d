import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { httpError, timeoutError } from '../backends/index.js';
import { mmevolveError } from '../core/index.js';
import { errorResponse } from './api-errors.js';

async function respond(thrown: unknown): Promise<Response> {
  const app = new Hono();
  app.get('/', () => {
    throw thrown;
  });
  app.onError((error, context) => errorResponse(context, error, () => undefined));
  return app.request('/');
}

describe('error responses by code', () => {
  it('maps a retryable backend failure to 503 with the backend Retry-After', async () => {
    const response = await respond(httpError(500, 'http://mllm/v1/chat/completions', 'overloaded', new Headers({ 'retry-after': '7' })));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(((await response.json()) as { error: { hint: string } }).error.hint).toContain('retry after 7 s');
  });

  it('maps a backend that refused the request (401) to 502 without Retry-After', async () => {
    const response = await respond(httpError(401, 'http://mllm/v1/chat/completions', 'bad key'));
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('maps timeouts to 503, invalid input to 400 and unknown codes to 500', async () => {
    expect((await respond(timeoutError('http://mllm', 1000))).status).toBe(503);
    expect((await respond(mmevolveError('invalid-input', 'bad', 'fix it'))).status).toBe(400);
    expect((await respond(mmevolveError('some-new-code', 'odd', 'hint'))).status).toBe(500);
  });
});
