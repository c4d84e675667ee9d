/**
 * API key rows in the workspace's Postgres (the schema of `store:`), so every `serve` replica accepts the
 * same keys and sees a revocation at once. Same columns as the SQLite file; the hashing stays in key-store.ts.
 */
import type pg from 'pg';
import { checkPostgresIdentifier, inTransaction, openPostgresPool, redactPostgresUrl } from '../memory/index.js';
import type { PostgresConnectionOptions } from '../memory/index.js';
import { ApiKeyStore } from './key-store.js';
import type { KeyRow, KeyRows } from './key-store.js';

export interface PostgresKeyStoreOptions extends PostgresConnectionOptions {
  schema: string;
}

/** Creates the schema and the server's tables (api_keys, proxied_answers, token_buckets) when missing (under a lock, so replicas starting together agree). */
export async function ensureServerTables(pool: pg.Pool, schema: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`mmevolve-server:${schema}`]);
    await client.query(`create schema if not exists ${schema}`);
    await client.query(`create table if not exists ${schema}.api_keys (
      id text primary key,
      tenant text not null,
      scopes text not null,
      label text not null default '',
      salt bytea not null,
      hash bytea not null,
      created_at text not null,
      revoked_at text
    )`);
    // The chat proxy's answer log (answer-rows-postgres.ts): feedback finds an answer after a restart.
    await client.query(`create table if not exists ${schema}.proxied_answers (
      seq bigserial primary key,
      tenant text not null,
      id text not null,
      kept_at bigint not null,
      bytes bigint not null,
      feedback text not null check (feedback in ('open', 'claimed', 'used')),
      claimed_at bigint,
      body text not null,
      unique (tenant, id)
    )`);
    await client.query(`create table if not exists ${schema}.token_buckets (
      name text primary key,
      tokens double precision not null,
      updated_at timestamptz not null,
      taken boolean not null
    )`);
  });
}

/** A pool of its own for one of the server's tables, with those tables made; the pool is closed if that fails. */
export async function openServerTablesPool(options: PostgresConnectionOptions & { schema: string }, defaultConnections: number): Promise<{ pool: pg.Pool; schema: string }> {
  const schema = checkPostgresIdentifier(options.schema, 'store.schema');
  const pool = await openPostgresPool({ ...options, maxConnections: options.maxConnections ?? defaultConnections });
  try {
    await ensureServerTables(pool, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { pool, schema };
}

export async function openPostgresApiKeyStore(options: PostgresKeyStoreOptions): Promise<ApiKeyStore> {
  const { pool, schema } = await openServerTablesPool(options, 4);
  const rows: KeyRows = {
    get: async (id) => (await pool.query<KeyRow>(`select * from ${schema}.api_keys where id = $1`, [id])).rows[0],
    insert: async (row) => {
      await pool.query(`insert into ${schema}.api_keys (id, tenant, scopes, label, salt, hash, created_at) values ($1, $2, $3, $4, $5, $6, $7)`, [
        row.id,
        row.tenant,
        row.scopes,
        row.label,
        row.salt,
        row.hash,
        row.created_at,
      ]);
    },
    all: async () => (await pool.query<KeyRow>(`select * from ${schema}.api_keys order by created_at, id`)).rows,
    revoke: async (id, at) => ((await pool.query(`update ${schema}.api_keys set revoked_at = $2 where id = $1 and revoked_at is null`, [id, at])).rowCount ?? 0) > 0,
    close: () => pool.end(),
  };
  return new ApiKeyStore(`${redactPostgresUrl(options.url)} (schema ${schema})`, rows);
}
