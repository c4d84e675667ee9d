/**
 * The proxy's answer log in the workspace's Postgres (the schema of `store:`), so feedback reaches an answer
 * whichever replica gave it and after any restart. Same columns as the SQLite table (answer-rows.ts); the
 * table is made by ensureServerTables (key-rows-postgres.ts) with the other server tables.
 */
import type pg from 'pg';
import { checkPostgresIdentifier, inTransaction, redactPostgresUrl } from '../memory/index.js';
import type { PostgresConnectionOptions } from '../memory/index.js';
import { parseStoredAnswer } from './answer-rows.js';
import { openServerTablesPool } from './key-rows-postgres.js';
import type { AnswerIndexEntry, AnswerRows, FeedbackState } from './answer-rows.js';

interface PgRow {
  id: string;
  kept_at: string;
  bytes: string;
  feedback: FeedbackState;
  claimed_at: string | null;
  body?: string;
}

function indexFromRow(row: PgRow): AnswerIndexEntry {
  // bigint columns come back as strings from pg; the values are epoch milliseconds and byte counts.
  return { id: row.id, keptAt: Number(row.kept_at), bytes: Number(row.bytes), feedback: row.feedback, claimedAt: row.claimed_at === null ? undefined : Number(row.claimed_at) };
}

/** Rows on a pool the caller owns (closing the rows ends the pool). */
export function postgresAnswerRows(pool: pg.Pool, schemaName: string, where: string): AnswerRows {
  const table = `${checkPostgresIdentifier(schemaName, 'store.schema')}.proxied_answers`;
  let closed = false;
  return {
    where,
    put: async (tenant, row) => {
      // Delete then insert in one transaction: a replaced id gets a new seq and so counts as the newest.
      await inTransaction(pool, async (client) => {
        await client.query(`delete from ${table} where tenant = $1 and id = $2`, [tenant, row.id]);
        await client.query(`insert into ${table} (tenant, id, kept_at, bytes, feedback, claimed_at, body) values ($1, $2, $3, $4, $5, $6, $7)`, [
          tenant,
          row.id,
          row.keptAt,
          row.bytes,
          row.feedback,
          row.claimedAt ?? null,
          JSON.stringify(row.answer),
        ]);
      });
    },
    get: async (tenant, id) => {
      const row = (await pool.query<PgRow>(`select id, kept_at, bytes, feedback, claimed_at, body from ${table} where tenant = $1 and id = $2`, [tenant, id])).rows[0];
      return row?.body === undefined ? undefined : { ...indexFromRow(row), answer: parseStoredAnswer(row.body, where) };
    },
    index: async (tenant) => (await pool.query<PgRow>(`select id, kept_at, bytes, feedback, claimed_at from ${table} where tenant = $1 order by seq`, [tenant])).rows.map(indexFromRow),
    remove: async (tenant, ids) => {
      if (ids.length > 0) await pool.query(`delete from ${table} where tenant = $1 and id = any($2::text[])`, [tenant, [...ids]]);
    },
    claim: async (tenant, id, at, staleBefore) => {
      const result = await pool.query(`update ${table} set feedback = 'claimed', claimed_at = $1 where tenant = $2 and id = $3 and (feedback = 'open' or (feedback = 'claimed' and claimed_at < $4))`, [at, tenant, id, staleBefore]);
      return (result.rowCount ?? 0) > 0;
    },
    settle: async (tenant, id, used) => {
      await pool.query(`update ${table} set feedback = $1, claimed_at = null where tenant = $2 and id = $3 and feedback = 'claimed'`, [used ? 'used' : 'open', tenant, id]);
    },
    close: async () => {
      // Idempotent, as the SQLite rows are: the app and its owner may both close on shutdown.
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Opens its own small pool and makes the server tables when missing (key-rows-postgres.ts). */
export async function openPostgresAnswerRows(options: PostgresConnectionOptions & { schema: string }): Promise<AnswerRows> {
  const { pool, schema } = await openServerTablesPool(options, 2);
  return postgresAnswerRows(pool, schema, `${redactPostgresUrl(options.url)} (schema ${schema})`);
}
