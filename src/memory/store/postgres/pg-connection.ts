/**
 * Connections to a Postgres server (the `pg` driver's pool): a URL check, a first query that turns a
 * failure into a typed error naming the URL without its password, and transactions. Shared by the
 * lesson store and the API-key / limit stores of src/server.
 */
import pg from 'pg';
import { isMmevolveError, mmevolveError } from '../../../core/index.js';

/** A pool or one checked-out client: both answer `query`. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PostgresConnectionOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections this process may hold (default 10). */
  maxConnections?: number;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

const INT8_OID = 20;

/** The URL as it may be shown: the password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Postgres identifiers we build SQL with (schema names) are checked, never quoted user input. */
export function checkIdentifier(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/u.test(name)) {
    throw mmevolveError('config-invalid', `${what} ${JSON.stringify(name)} is not a plain Postgres identifier`, 'use lower-case letters, digits and _ (at most 63), starting with a letter or _');
  }
  return name;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw mmevolveError('config-invalid', 'the Postgres URL is not a URL', 'write it as postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw mmevolveError('config-invalid', `the Postgres URL ${redactUrl(url)} must start with postgres:// or postgresql://`, 'write it as postgres://user:password@host:5432/database');
  }
}

/** Opens a pool and proves it with one query; a failure is `postgres-unavailable` naming the redacted URL. */
export async function openPostgresPool(options: PostgresConnectionOptions): Promise<pg.Pool> {
  checkUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Row ids and counts are bigint; ours stay far below 2^53, so numbers are exact and easier to use.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // An idle client that loses its server emits on the pool; the next query reports the failure instead.
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw connectionError(options.url, cause);
  }
  return pool;
}

export function connectionError(url: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message.replaceAll(new URL(url).password || '\u0000', '***') : String(cause);
  return mmevolveError(
    'postgres-unavailable',
    `cannot connect to Postgres at ${redactUrl(url)}: ${reason}`,
    'check that the server runs and listens on that host and port, that the user, password and database in the URL exist, and that pg_hba.conf admits this client',
    cause,
  );
}

/** Runs `work` in one transaction on one client: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Postgres' unique_violation, as raised by a concurrent writer that took the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  return !isMmevolveError(error) && typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
