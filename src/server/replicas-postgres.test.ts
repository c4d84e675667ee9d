import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../backends/index.js';
import { openPostgresMemoryStore } from '../memory/index.js';
import { startTestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import type { TestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import { OFFLINE_EMBEDDING_DIMENSIONS } from '../protocols/index.js';
import { createServerApp } from './app.js';
import { openServerState } from './shared-state.js';
import type { ServerState } from './shared-state.js';
import { startServer } from './start-server.js';
import type { RunningServer } from './start-server.js';

/** Two `serve` replicas in this process: separate connections, servers and ports, one Postgres. */
describe('two serve replicas on one Postgres', () => {
  let postgres: TestPostgres;
  const closers: (() => Promise<void>)[] = [];
  const replicas: { url: string; state: ServerState }[] = [];

  beforeAll(async () => {
    postgres = await startTestPostgres();
    const store = { kind: 'postgres' as const, url: postgres.url, schema: postgres.freshSchema(), maxConnections: 4 };
    for (let index = 0; index < 2; index += 1) {
      const state = await openServerState(store, undefined);
      const memoryStore = await openPostgresMemoryStore({ url: store.url, schema: store.schema, dimensions: OFFLINE_EMBEDDING_DIMENSIONS, embeddingModel: createOfflineEmbedder().model, maxConnections: 2 });
      // A burst of 3 refilling once in ~17 minutes: only the shared budget decides what is refused.
      const served = createServerApp({ keyStore: state.keyStore, memoryStore, limits: { rateLimit: { burst: 3, perSecond: 0.001 } }, ...(state.tokenBuckets === undefined ? {} : { tokenBuckets: state.tokenBuckets }) });
      const server: RunningServer = await startServer({ app: served.app, port: 0, host: '127.0.0.1', dev: false });
      closers.push(async () => {
        await server.close();
        await served.close();
        await state.close();
        await memoryStore.close();
      });
      replicas.push({ url: server.url, state });
    }
  }, 120_000);
  afterAll(async () => {
    for (const close of closers) await close();
    await postgres.stop();
  });

  const get = (replica: number, key: string): Promise<number> =>
    fetch(`${replicas[replica]?.url}/v1/memories`, { headers: { Authorization: `Bearer ${key}` } }).then((response) => response.status);

  it('accept a key created through either and refuse it on both once revoked through one', async () => {
    const [a, b] = replicas;
    if (a === undefined || b === undefined) throw new Error('replicas did not start');
    const created = await a.state.keyStore.create('acme', ['read']);
    expect(a.state.tokenBuckets, 'Postgres buckets are in use').toBeDefined();
    expect([await get(0, created.key), await get(1, created.key)], 'the key made on replica A works on A and B').toEqual([200, 200]);
    expect(await b.state.keyStore.revoke(created.record.id), 'revoked through replica B').toBe(true);
    expect([await get(0, created.key), await get(1, created.key)], 'refused on both, A included (it had verified the key before)').toEqual([401, 401]);
    expect((await a.state.keyStore.list()).find((record) => record.id === created.record.id)?.revokedAt, 'A lists it as revoked').toBeTypeOf('string');
  });

  it('share one key\'s rate limit: a burst of 3 spread over both replicas, then 429 on each', async () => {
    const { key } = await replicas[0]?.state.keyStore.create('globex', ['read']) ?? { key: '' };
    const statuses = [await get(0, key), await get(1, key), await get(0, key), await get(1, key), await get(0, key)];
    expect(statuses, 'three requests pass in all, whichever replica they reach').toEqual([200, 200, 200, 429, 429]);
  });
});
