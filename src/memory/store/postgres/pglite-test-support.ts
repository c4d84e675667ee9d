/**
 * A real Postgres for tests, from npm only: PGlite (Postgres compiled to WASM, with pgvector) behind
 * pglite-socket, which speaks the Postgres wire protocol on 127.0.0.1 to the real `pg` driver. Each test
 * file starts its own on a random port and stops it. The first start runs initdb (seconds); it leaves a
 * snapshot of the fresh data directory in the system temp folder, which later starts load instead.
 * MMEVOLVE_TEST_POSTGRES_URL points the tests at another Postgres (with pgvector) instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface TestPostgres {
  /** postgres://… on 127.0.0.1 */
  url: string;
  /** A new schema name no other test uses: each store opened on it starts empty. */
  freshSchema(): string;
  stop(): Promise<void>;
}

const SNAPSHOT_VERSION = 'pglite-0.5-pgvector-v1';

export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.MMEVOLVE_TEST_POSTGRES_URL;
  const freshSchema = (): string => `t_${randomBytes(6).toString('hex')}`;
  if (external !== undefined && external !== '') return { url: external, freshSchema, stop: async () => undefined };
  const db = await openDatabase();
  // pglite-socket serialises the connections' statements on the one PGlite session, transactions whole.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres:test-password@${server.getServerConn()}/postgres`,
    freshSchema,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function openDatabase(): Promise<PGlite> {
  const snapshot = join(tmpdir(), `mmevolve-${SNAPSHOT_VERSION}.tar.gz`);
  if (existsSync(snapshot)) {
    try {
      return await PGlite.create({ extensions: { vector }, loadDataDir: new Blob([readFileSync(snapshot)]) });
    } catch {
      // A damaged snapshot (e.g. a write cut short): fall through to a fresh initdb, which replaces it.
    }
  }
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('create extension if not exists vector');
  const dump = await db.dumpDataDir('gzip');
  const partial = `${snapshot}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, snapshot);
  return db;
}
