import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { incomingOf, readIncomingBody } from './incoming-body.js';

/** A loopback server recording each request's readIncomingBody outcome (the text read, or the error). */
async function withServer(run: (port: number, outcomes: Promise<unknown>[]) => Promise<void>): Promise<void> {
  const outcomes: Promise<unknown>[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing) => {
    const read = readIncomingBody(incoming);
    const outcome = read === undefined ? Promise.resolve('not applicable') : read.then((bytes) => Buffer.from(bytes).toString('latin1'), (error: unknown) => error);
    outcomes.push(outcome);
    void outcome.then(() => {
      if (incoming.readableDidRead === false) incoming.resume();
      outgoing.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await run((server.address() as AddressInfo).port, outcomes);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function send(port: number, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('readIncomingBody', () => {
  it('returns the whole body of a request with a Content-Length, across many chunks', async () => {
    const body = 'x'.repeat(300_000) + 'end';
    await withServer(async (port, outcomes) => {
      await send(port, body, { 'content-length': String(body.length) });
      expect(await outcomes[0]).toBe(body);
    });
  });

  it('leaves chunked bodies (no Content-Length) to the caller', async () => {
    await withServer(async (port, outcomes) => {
      await send(port, '{"a":1}', { 'transfer-encoding': 'chunked' });
      expect(await outcomes[0]).toBe('not applicable');
    });
  });

  it('rejects with invalid-input when the client disconnects before the declared length', async () => {
    await withServer(async (port, outcomes) => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789');
      while (outcomes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      socket.destroy();
      const outcome = await outcomes[0];
      expect(outcome).toMatchObject({ code: 'invalid-input' });
    });
  });

  it('finds the Node request only in an env that carries one', () => {
    expect(incomingOf(undefined)).toBeUndefined();
    expect(incomingOf({ incoming: {} })).toBeUndefined();
  });
});
