/**
 * Small in-process servers on 127.0.0.1:0 speaking the documented response shapes (OpenAI chat completions
 * and models, OpenAI embeddings, Roboflow SAM 3), scripted per request to fault: 429 with Retry-After, 500,
 * stalls, malformed output. Test helpers only; the SynthWorld simulated servers live in src/sim/servers.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';

export interface FakeReply {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (a stall when longer than the client timeout). */
  delayMs?: number;
}

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Responder = (body: unknown, index: number, path: string) => FakeReply | Promise<FakeReply>;

/** The OpenAI chat.completion object vLLM returns (fields the SDK reads). */
export function chatCompletion(content: string, usage = { prompt_tokens: 11, completion_tokens: 7 }): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export function modelsList(ids: readonly string[]): unknown {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) };
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startFakeServer(responder: Responder): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  const app = new Hono();
  const handle = async (context: Context): Promise<Response> => {
    const body: unknown = context.req.method === 'GET' ? undefined : await context.req.json().catch(() => undefined);
    const index = requests.length;
    requests.push({ path: context.req.path, query: context.req.query(), authorization: context.req.header('authorization'), body });
    const reply = await responder(body, index, context.req.path);
    if (reply.delayMs !== undefined) await sleep(reply.delayMs, closing.signal);
    return new Response(JSON.stringify(reply.json ?? {}), {
      status: reply.status ?? 200,
      headers: { 'content-type': 'application/json', ...reply.headers },
    });
  };
  app.all('*', handle);
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server: started, port: info.port }),
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
