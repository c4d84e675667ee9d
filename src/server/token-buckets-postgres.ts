/**
 * Token buckets in a Postgres table shared by every `serve` replica. Each take is one transaction of
 * atomic upserts that refill by the database clock (one clock for all replicas) and take a token only
 * when one is there; a bucket found empty rolls the whole take back, as the in-memory buckets do.
 */
import type pg from 'pg';
import { checkPostgresIdentifier, inTransaction } from '../memory/index.js';
import type { PostgresConnectionOptions } from '../memory/index.js';
import { openServerTablesPool } from './key-rows-postgres.js';
import type { BucketRequest, TokenBuckets } from './token-buckets.js';

export class PostgresTokenBuckets implements TokenBuckets {
  readonly #pool: pg.Pool;
  readonly #takeSql: string;
  readonly #refundSql: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    const table = `${checkPostgresIdentifier(schema, 'store.schema')}.token_buckets`;
    // In ON CONFLICT … SET every b.* is the row before the update, and statement_timestamp() is one instant.
    const refilled = `least($2::float8, b.tokens + extract(epoch from statement_timestamp() - b.updated_at) * $3::float8)`;
    // A new bucket starts full and gives its first token; an existing one refills, then gives one if it has one.
    this.#takeSql = `insert into ${table} as b (name, tokens, updated_at, taken) values ($1, $2::float8 - 1, statement_timestamp(), true)
      on conflict (name) do update set
        tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        taken = ${refilled} >= 1,
        updated_at = statement_timestamp()
      returning tokens, taken`;
    this.#refundSql = `update ${table} set tokens = least($2::float8, tokens + 1) where name = $1`;
  }

  async take(requests: readonly BucketRequest[]): Promise<{ index: number; tokens: number } | undefined> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      for (const [index, request] of requests.entries()) {
        const { rows } = await client.query<{ tokens: number; taken: boolean }>(this.#takeSql, [request.name, request.burst, request.perSecond]);
        const row = rows[0];
        if (row === undefined || !row.taken) {
          await client.query('rollback');
          return { index, tokens: row?.tokens ?? 0 };
        }
      }
      await client.query('commit');
      return undefined;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async refund(requests: readonly BucketRequest[]): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      for (const request of requests) await client.query(this.#refundSql, [request.name, request.burst]);
    });
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

export async function openPostgresTokenBuckets(options: PostgresConnectionOptions & { schema: string }): Promise<PostgresTokenBuckets> {
  const { pool, schema } = await openServerTablesPool(options, 4);
  return new PostgresTokenBuckets(pool, schema);
}
