import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withByteBodies } from './byte-body-fetch.js';

/** A TCP server that records the raw bytes of each HTTP request (headers and body) and answers 200. */
let server: Server;
let url = '';
const requests: Buffer[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/iu.exec(received.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      requests.push(received);
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function rawRequest(send: typeof fetch, init: RequestInit): Promise<Buffer> {
  const before = requests.length;
  const response = await send(url, init);
  await response.text();
  const raw = requests[before];
  if (raw === undefined) throw new Error('the server recorded no request');
  return raw;
}

describe('withByteBodies', () => {
  it('puts the same bytes on the wire as fetch with the string body: headers, Content-Length and UTF-8 body, non-ASCII and a lone surrogate included', async () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `naïve — 画像 ${'\uD800'} ${'x'.repeat(70_000)}` }] });
    const init = { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body };
    const plain = await rawRequest(fetch, init);
    const bytes = await rawRequest(withByteBodies(fetch), init);
    expect(bytes.equals(plain), `raw requests differ:\n${plain.subarray(0, 400).toString('latin1')}\n---\n${bytes.subarray(0, 400).toString('latin1')}`).toBe(true);
  });

  it('leaves a string body without a Content-Type to fetch (its text/plain default stays on the wire)', async () => {
    const seen: Array<RequestInit['body']> = [];
    const recording: typeof fetch = async (_input, init) => {
      seen.push(init?.body);
      return new Response('{}');
    };
    await withByteBodies(recording)(url, { method: 'POST', body: 'plain text' });
    await withByteBodies(recording)(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(seen[0], 'no content-type: the string is passed on').toBe('plain text');
    expect(Buffer.isBuffer(seen[1]), 'with a content-type: bytes').toBe(true);
  });
});
