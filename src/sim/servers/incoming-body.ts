/**
 * A request body read straight from Node's request when the app runs under @hono/node-server (listen.ts
 * passes the Node request on as the app's env.incoming): the chunks are copied once into a buffer of the
 * declared Content-Length, where hono's arrayBuffer() concatenates them and then copies the result into
 * a fresh ArrayBuffer — a second copy of a multi-hundred-kilobyte image body per request (issue 4).
 */
import { IncomingMessage } from 'node:http';
import { mmevolveError } from '../../core/index.js';

/** Bodies above this declared length are left to hono (no up-front allocation on a client's word). */
const MAX_DIRECT_BODY = 64 * 1024 * 1024;

/** The Node request behind a hono context's env, when there is one. */
export function incomingOf(env: unknown): IncomingMessage | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return env.incoming instanceof IncomingMessage ? env.incoming : undefined;
}

/**
 * The body's bytes, or undefined when this path does not apply (the caller reads through hono): no
 * declared length or an implausible one, or the body already being read. Rejects when the client
 * disconnects, the stream fails, or the body differs from its declared length.
 */
export function readIncomingBody(incoming: IncomingMessage): Promise<Uint8Array> | undefined {
  const declared = incoming.headers['content-length'];
  const length = declared === undefined ? Number.NaN : Number(declared);
  if (!Number.isSafeInteger(length) || length <= 0 || length > MAX_DIRECT_BODY) return undefined;
  if (incoming.readableDidRead || incoming.readableEnded || incoming.destroyed || incoming.readableEncoding !== null) return undefined;
  return new Promise<Uint8Array>((resolve, reject) => {
    const body = Buffer.allocUnsafe(length);
    let filled = 0;
    const fail = (message: string, cause?: unknown): void => {
      cleanup();
      reject(mmevolveError('invalid-input', message, 'send the whole JSON body with a correct Content-Length', cause));
    };
    const onData = (chunk: Buffer): void => {
      if (filled + chunk.length > length) {
        fail(`request body is longer than its Content-Length ${length}`);
        return;
      }
      chunk.copy(body, filled);
      filled += chunk.length;
    };
    const onEnd = (): void => {
      if (filled !== length) {
        fail(`request body has ${filled} bytes, its Content-Length says ${length}`);
        return;
      }
      cleanup();
      resolve(body);
    };
    const onError = (error: Error): void => fail('reading the request body failed', error);
    const onClose = (): void => {
      if (!incoming.readableEnded) fail('the client closed the connection before sending the whole body');
    };
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
