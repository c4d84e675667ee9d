import { describe, expect, it } from 'vitest';
import { runsDatabaseUrl } from './serve-runs-db.js';

describe('where serve keeps its runs', () => {
  const postgresStore = { kind: 'postgres', url: 'postgres://mmevolve@db:5432/mm', schema: 'mmevolve', maxConnections: 10 } as const;

  it('uses the Postgres of store.kind postgres when --runs-db is not given, so replicas share runs with no extra flag', () => {
    expect(runsDatabaseUrl(undefined, postgresStore), 'runs follow the configured store').toEqual({ url: postgresStore.url, from: 'store' });
  });

  it('lets --runs-db name another database, and keeps run folders with a SQLite store', () => {
    expect(runsDatabaseUrl('postgres://other/runs', postgresStore), '--runs-db wins').toEqual({ url: 'postgres://other/runs', from: '--runs-db' });
    expect(runsDatabaseUrl(undefined, { kind: 'sqlite', path: 'memory.db' }), 'a SQLite store keeps runs on disk').toBeUndefined();
  });
});
