/**
 * Where `serve` keeps API keys and its limit buckets. With `store: {kind: postgres}` both live in that
 * Postgres (same schema as the lessons), so replicas accept the same keys, see a revocation at once and
 * share each key's budget; an explicit key file (--keys-db, server.keysDb) still wins for the keys.
 * Otherwise: keys in their SQLite file, buckets in this process.
 */
import type { StoreConfig } from '../app/index.js';
import { ApiKeyStore, DEFAULT_KEYS_DB_PATH } from './key-store.js';
import { openPostgresApiKeyStore } from './key-rows-postgres.js';
import { openPostgresTokenBuckets } from './token-buckets-postgres.js';
import type { TokenBuckets } from './token-buckets.js';

export interface ServerState {
  keyStore: ApiKeyStore;
  /** Undefined: each process keeps its own buckets. */
  tokenBuckets: TokenBuckets | undefined;
  close(): Promise<void>;
}

export async function openServerState(store: StoreConfig, keysDb: string | undefined): Promise<ServerState> {
  if (store.kind !== 'postgres') {
    const keyStore = new ApiKeyStore(keysDb ?? DEFAULT_KEYS_DB_PATH);
    return { keyStore, tokenBuckets: undefined, close: () => keyStore.close() };
  }
  const connection = { url: store.url, schema: store.schema, maxConnections: Math.max(2, Math.ceil(store.maxConnections / 2)) };
  const tokenBuckets = await openPostgresTokenBuckets(connection);
  try {
    const keyStore = keysDb === undefined ? await openPostgresApiKeyStore(connection) : new ApiKeyStore(keysDb);
    return {
      keyStore,
      tokenBuckets,
      close: async () => {
        await keyStore.close();
        await tokenBuckets.close();
      },
    };
  } catch (error) {
    await tokenBuckets.close();
    throw error;
  }
}

/** The key store `mmevolve keys` works on: the --db file when given, else as `serve` would choose. */
export async function openKeyStoreFor(store: StoreConfig, keysDb: string | undefined): Promise<ApiKeyStore> {
  if (store.kind === 'postgres' && keysDb === undefined) return openPostgresApiKeyStore({ url: store.url, schema: store.schema, maxConnections: 2 });
  return new ApiKeyStore(keysDb ?? DEFAULT_KEYS_DB_PATH);
}
