/**
 * Authentication and scopes. A key comes as `Authorization: Bearer <key>` (what OpenAI clients send) or
 * `X-Api-Key`. In dev mode a request without a key from a loopback address acts as tenant "dev" with every
 * scope; a key, when given, is still checked so tenants can be tried locally.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { apiError } from './api-errors.js';
import { AuthFailureLimiter } from './auth-limits.js';
import { API_KEY_SCOPES } from './key-store.js';
import type { ApiKeyScope, ApiKeyStore } from './key-store.js';
import type { Principal, ServerEnv } from './principal.js';

export const DEV_TENANT = 'dev';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The socket's peer address under @hono/node-server (undefined in-process, e.g. app.request()). */
export function remoteAddress(context: Context): string | undefined {
  const environment: unknown = context.env;
  if (typeof environment !== 'object' || environment === null || !('incoming' in environment)) return undefined;
  const incoming: unknown = environment.incoming;
  if (typeof incoming !== 'object' || incoming === null || !('socket' in incoming)) return undefined;
  const socket: unknown = incoming.socket;
  if (typeof socket !== 'object' || socket === null || !('remoteAddress' in socket)) return undefined;
  return typeof socket.remoteAddress === 'string' ? socket.remoteAddress : undefined;
}

export function presentedKey(context: Context): string | undefined {
  const authorization = context.req.header('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(authorization);
    if (match?.[1] !== undefined) return match[1];
  }
  const header = context.req.header('x-api-key');
  return header === undefined || header.trim() === '' ? undefined : header.trim();
}

export interface AuthOptions {
  keyStore: ApiKeyStore;
  dev: boolean;
  /** In-process tests have no socket; they may declare the peer address here. */
  addressOf?: (context: Context) => string | undefined;
  /** Pays for each scrypt from per-key-id and per-address buckets (auth-limits.ts); default limits when absent. */
  failures?: AuthFailureLimiter;
}

export function authenticate(options: AuthOptions): MiddlewareHandler<ServerEnv> {
  const addressOf = options.addressOf ?? remoteAddress;
  const failures = options.failures ?? new AuthFailureLimiter();
  return async (context, next) => {
    const key = presentedKey(context);
    let principal: Principal | undefined;
    if (key !== undefined) {
      const address = addressOf(context);
      let paidFor: string | undefined;
      const record = await options.keyStore.verify(key, async (id) => {
        await failures.reserve(id, address);
        paidFor = id;
      });
      if (record !== undefined && paidFor !== undefined) await failures.refund(paidFor, address);
      if (record === undefined) throw apiError('unauthorized', 'the API key is not valid (unknown, revoked or mistyped)', 'Create one with `mmevolve keys create --tenant T` and send it as `Authorization: Bearer <key>`.');
      principal = { tenant: record.tenant, scopes: record.scopes, keyId: record.id };
    } else if (options.dev && isLoopbackAddress(addressOf(context))) {
      principal = { tenant: DEV_TENANT, scopes: API_KEY_SCOPES, keyId: 'dev' };
    } else {
      throw apiError('unauthorized', 'this route needs an API key', 'Send `Authorization: Bearer <key>` (create a key with `mmevolve keys create --tenant T`).');
    }
    context.set('principal', principal);
    await next();
  };
}

export function requireScope(scope: ApiKeyScope): MiddlewareHandler<ServerEnv> {
  return async (context, next) => {
    const principal = context.get('principal');
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      throw apiError('forbidden', `this key lacks the "${scope}" scope`, `Create a key with --scopes including ${scope} (this key has: ${principal.scopes.join(', ')}).`);
    }
    await next();
  };
}
