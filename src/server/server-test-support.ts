/** Test helpers: an app on throwaway stores, keys per tenant, and request shorthands (tests only). */
import { createOfflineEmbedder } from '../backends/index.js';
import { OFFLINE_EMBEDDING_DIMENSIONS } from '../protocols/index.js';
import type { Backends } from '../backends/index.js';
import { openMemoryStore } from '../memory/index.js';
import type { SqliteMemoryStore } from '../memory/index.js';
import { createServerApp } from './app.js';
import type { ServerApp, ServerAppOptions } from './app.js';
import { ApiKeyStore } from './key-store.js';
import type { ApiKeyScope } from './key-store.js';

export interface TestServer extends ServerApp {
  keyStore: ApiKeyStore;
  memoryStore: SqliteMemoryStore;
  keyFor(tenant: string, scopes?: readonly ApiKeyScope[]): Promise<string>;
  request(path: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function createTestServer(options: Partial<ServerAppOptions> & { backends?: Backends } = {}): Promise<TestServer> {
  const keyStore = new ApiKeyStore(':memory:');
  const embedder = createOfflineEmbedder();
  const memoryStore = openMemoryStore({ path: ':memory:', dimensions: OFFLINE_EMBEDDING_DIMENSIONS, embeddingModel: embedder.model });
  const server = createServerApp({ keyStore, memoryStore, ...options });
  return {
    ...server,
    keyStore,
    memoryStore,
    async keyFor(tenant, scopes = ['read', 'write', 'solve', 'segment', 'runs']) {
      return (await keyStore.create(tenant, scopes)).key;
    },
    request(path, init = {}) {
      const { key, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== undefined) headers.set('Authorization', `Bearer ${key}`);
      if (json !== undefined) headers.set('Content-Type', 'application/json');
      return Promise.resolve(server.app.request(path, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) }));
    },
    async close() {
      await server.close();
      await keyStore.close();
      await memoryStore.close();
    },
  };
}

export interface ErrorJson {
  error: { code: string; message: string; hint: string };
}

export async function errorOf(response: Response): Promise<ErrorJson['error']> {
  const body = (await response.json()) as ErrorJson;
  return body.error;
}
