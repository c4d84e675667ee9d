/** Listen on a socket; `port: 0` picks a free port (tests). Refuses a non-loopback host in dev mode. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { mmevolveError } from '../core/index.js';
import type { ServerEnv } from './principal.js';

export interface StartServerOptions {
  app: Hono<ServerEnv>;
  port: number;
  host: string;
  dev?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/u.test(host);
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (options.dev === true && !isLoopbackHost(options.host)) {
    throw mmevolveError('invalid-input', `--dev allows keyless access and so only binds a loopback address, not ${options.host}`, 'Use --host 127.0.0.1 with --dev, or drop --dev and create API keys (mmevolve keys create).');
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: options.app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        host: info.address,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((error) => (error === undefined ? done() : fail(error)));
          }),
      });
    });
    server.once('error', (error) => reject(mmevolveError('invalid-input', `cannot listen on ${options.host}:${options.port}: ${error.message}`, 'Pick another --port, or stop the process using it.', error)));
  });
}
