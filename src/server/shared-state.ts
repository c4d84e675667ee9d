/**
 * Where `serve` keeps API keys, its limit buckets and the proxy's answer log. With `store: {kind: postgres}`
 * all three live in that Postgres (same schema as the lessons), so replicas accept the same keys, see a
 * revocation at once, share each key's budget and take feedback for an answer any of them gave; an
 * explicit key file (--keys-db, server.keysDb) still wins for the keys. Otherwise: keys in their SQLite
 * file, buckets in this process, answers in a table of the workspace's SQLite file (answer-rows.ts).
 */
import type { StoreConfig } from '../app/index.js';
import { sqliteAnswerRows } from './answer-rows.js';
import type { AnswerRows } from './answer-rows.js';
import { openPostgresAnswerRows } from './answer-rows-postgres.js';
import { ApiKeyStore, DEFAULT_KEYS_DB_PATH } from './key-store.js';
import { openPostgresApiKeyStore } from './key-rows-postgres.js';
import { openPostgresTokenBuckets } from './token-buckets-postgres.js';
import type { TokenBuckets } from './token-buckets.js';

export interface ServerState {
  keyStore: ApiKeyStore;
  /** Undefined: each process keeps its own buckets. */
  tokenBuckets: TokenBuckets | undefined;
  /** The proxy's answers kept for POST /v1/feedback; they outlive a restart. */
  answerRows: AnswerRows;
  close(): Promise<void>;
}

export async function openServerState(store: StoreConfig, keysDb: string | undefined): Promise<ServerState> {
  if (store.kind !== 'postgres') {
    const keyStore = new ApiKeyStore(keysDb ?? DEFAULT_KEYS_DB_PATH);
    const answerRows = sqliteAnswerRows(store.path);
    return {
      keyStore,
      tokenBuckets: undefined,
      answerRows,
      close: async () => {
        await keyStore.close();
        await answerRows.close();
      },
    };
  }
  const connection = { url: store.url, schema: store.schema, maxConnections: Math.max(2, Math.ceil(store.maxConnections / 2)) };
  const tokenBuckets = await openPostgresTokenBuckets(connection);
  let answerRows: AnswerRows | undefined;
  try {
    answerRows = await openPostgresAnswerRows({ ...connection, maxConnections: 2 });
    const keyStore = keysDb === undefined ? await openPostgresApiKeyStore(connection) : new ApiKeyStore(keysDb);
    const rows = answerRows;
    return {
      keyStore,
      tokenBuckets,
      answerRows: rows,
      close: async () => {
        await keyStore.close();
        await tokenBuckets.close();
        await rows.close();
      },
    };
  } catch (error) {
    await tokenBuckets.close();
    await answerRows?.close();
    throw error;
  }
}

/** The key store `mmevolve keys` works on: the --db file when given, else as `serve` would choose. */
export async function openKeyStoreFor(store: StoreConfig, keysDb: string | undefined): Promise<ApiKeyStore> {
  if (store.kind === 'postgres' && keysDb === undefined) return openPostgresApiKeyStore({ url: store.url, schema: store.schema, maxConnections: 2 });
  return new ApiKeyStore(keysDb ?? DEFAULT_KEYS_DB_PATH);
}
