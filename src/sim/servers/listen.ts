/** Start a hono app on a host and port (0 = any free port) and stop it cleanly. */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { mmevolveError } from '../../core/index.js';

export interface ListenOptions {
  port?: number;
  host?: string;
}

export interface Listening {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Anything with a fetch handler: a hono app. `env` carries Node's request and response ({ incoming, outgoing }). */
export interface FetchHandler {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export function listen(app: FetchHandler, options: ListenOptions = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request: Request, env: unknown) => app.fetch(request, env), port: options.port ?? 0, hostname: host }, (info: AddressInfo) => {
      const urlHost = info.address.includes(':') ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${urlHost}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            // Stalled responses must not keep the process alive after close().
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((error) => (error === undefined ? done() : fail(error)));
          }),
      });
    });
    server.once('error', (cause) => reject(mmevolveError('backend-unavailable', `cannot listen on ${host}:${options.port ?? 0}`, 'choose another --port or stop the process using it', cause)));
  });
}
