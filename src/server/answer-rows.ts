/**
 * Where the proxy's answer log (answer-log.ts) keeps its answers: in this process (tests, `:memory:`
 * workspaces), in a table of the workspace's SQLite file (next to the lessons, so an answer given before a
 * restart still takes feedback after it), or in the workspace's Postgres (answer-rows-postgres.ts, shared
 * by every replica). Rows are plain storage; the retention rules live in answer-log.ts. A claim is a
 * compare-and-set in the database, so two replicas cannot both take one answer's feedback.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';

/** `open`: no feedback yet; `claimed`: feedback is being learned from; `used`: feedback was taken. */
export type FeedbackState = 'open' | 'claimed' | 'used';

export interface ProxiedAnswer {
  /** The response id the proxy returned (the upstream's `id`, also sent as X-Mmevolve-Response-Id). */
  id: string;
  question: string;
  /** data: URLs of the last user message's images, as forwarded. */
  images: string[];
  /** The answer's text (the first choice's content, streamed or not). */
  answer: string;
  model: string;
}

/** A stored answer is read back through this schema: a damaged row is an error, never a half answer. */
export const proxiedAnswerSchema = z.strictObject({
  id: z.string(),
  question: z.string(),
  images: z.array(z.string()),
  answer: z.string(),
  model: z.string(),
});

export interface AnswerIndexEntry {
  id: string;
  /** Epoch milliseconds. */
  keptAt: number;
  bytes: number;
  feedback: FeedbackState;
  /** Epoch milliseconds of the current claim (claimed rows only). */
  claimedAt: number | undefined;
}

export interface StoredAnswer extends AnswerIndexEntry {
  answer: ProxiedAnswer;
}

export interface AnswerRows {
  /** For messages: "memory", the SQLite file, or the Postgres URL without its password. */
  readonly where: string;
  /** Inserts, or replaces the tenant's row with that id (it then counts as the newest). */
  put(tenant: string, row: StoredAnswer): Promise<void>;
  get(tenant: string, id: string): Promise<StoredAnswer | undefined>;
  /** The tenant's rows without their content, oldest first (eviction order). */
  index(tenant: string): Promise<AnswerIndexEntry[]>;
  remove(tenant: string, ids: readonly string[]): Promise<void>;
  /** open (or a claim taken before `staleBefore`) → claimed at `at`; false when the row is not claimable. */
  claim(tenant: string, id: string, at: number, staleBefore: number): Promise<boolean>;
  /** claimed → used or open. */
  settle(tenant: string, id: string, used: boolean): Promise<void>;
  close(): Promise<void>;
}

export function parseStoredAnswer(json: string, where: string): ProxiedAnswer {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw mmevolveError('internal', `a kept answer in ${where} is not JSON`, 'The answer log table was changed outside mmevolve; delete the row or the table.', cause);
  }
  const parsed = proxiedAnswerSchema.safeParse(value);
  if (!parsed.success) throw mmevolveError('internal', `a kept answer in ${where} has an unexpected shape: ${parsed.error.message}`, 'The answer log table was changed outside mmevolve; delete the row or the table.');
  return parsed.data;
}

/** Rows in this process only: a restart forgets them. */
export function memoryAnswerRows(): AnswerRows {
  const tenants = new Map<string, Map<string, StoredAnswer>>();
  const indexEntry = (row: StoredAnswer): AnswerIndexEntry => ({ id: row.id, keptAt: row.keptAt, bytes: row.bytes, feedback: row.feedback, claimedAt: row.claimedAt });
  return {
    where: 'memory',
    put: async (tenant, row) => {
      const rows = tenants.get(tenant) ?? new Map<string, StoredAnswer>();
      tenants.set(tenant, rows);
      // Delete first so a replaced id moves to the end of the insertion order (the newest).
      rows.delete(row.id);
      rows.set(row.id, { ...row });
    },
    get: async (tenant, id) => {
      const row = tenants.get(tenant)?.get(id);
      return row === undefined ? undefined : { ...row };
    },
    index: async (tenant) => [...(tenants.get(tenant)?.values() ?? [])].map(indexEntry),
    remove: async (tenant, ids) => {
      const rows = tenants.get(tenant);
      if (rows === undefined) return;
      for (const id of ids) rows.delete(id);
      if (rows.size === 0) tenants.delete(tenant);
    },
    claim: async (tenant, id, at, staleBefore) => {
      const row = tenants.get(tenant)?.get(id);
      if (row === undefined) return false;
      const claimable = row.feedback === 'open' || (row.feedback === 'claimed' && (row.claimedAt ?? 0) < staleBefore);
      if (!claimable) return false;
      row.feedback = 'claimed';
      row.claimedAt = at;
      return true;
    },
    settle: async (tenant, id, used) => {
      const row = tenants.get(tenant)?.get(id);
      if (row === undefined || row.feedback !== 'claimed') return;
      row.feedback = used ? 'used' : 'open';
      row.claimedAt = undefined;
    },
    close: async () => undefined,
  };
}

interface SqliteRow {
  id: string;
  kept_at: number;
  bytes: number;
  feedback: FeedbackState;
  claimed_at: number | null;
  body?: string;
}

function indexFromRow(row: SqliteRow): AnswerIndexEntry {
  return { id: row.id, keptAt: Number(row.kept_at), bytes: Number(row.bytes), feedback: row.feedback, claimedAt: row.claimed_at === null ? undefined : Number(row.claimed_at) };
}

/** The answer log as a table of the workspace's SQLite file, on its own connection (WAL allows both). */
export function sqliteAnswerRows(path: string): AnswerRows {
  if (path === ':memory:') return memoryAnswerRows();
  mkdirSync(dirname(path), { recursive: true });
  // Questions, images and answers are a tenant's private data: owner-only, as the lesson store creates it.
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // The lesson store writes on its own connection; wait for its transactions instead of failing SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  db.exec(`create table if not exists proxied_answers (
    seq integer primary key autoincrement,
    tenant text not null,
    id text not null,
    kept_at integer not null,
    bytes integer not null,
    feedback text not null check (feedback in ('open', 'claimed', 'used')),
    claimed_at integer,
    body text not null,
    unique (tenant, id)
  )`);
  const statements = {
    remove: db.prepare('delete from proxied_answers where tenant = ? and id = ?'),
    insert: db.prepare('insert into proxied_answers (tenant, id, kept_at, bytes, feedback, claimed_at, body) values (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare('select id, kept_at, bytes, feedback, claimed_at, body from proxied_answers where tenant = ? and id = ?'),
    index: db.prepare('select id, kept_at, bytes, feedback, claimed_at from proxied_answers where tenant = ? order by seq'),
    claim: db.prepare("update proxied_answers set feedback = 'claimed', claimed_at = ? where tenant = ? and id = ? and (feedback = 'open' or (feedback = 'claimed' and claimed_at < ?))"),
    settle: db.prepare("update proxied_answers set feedback = ?, claimed_at = null where tenant = ? and id = ? and feedback = 'claimed'"),
  };
  // A replaced id gets a new seq, so it sorts as the newest, as in memory.
  const put = db.transaction((tenant: string, row: StoredAnswer) => {
    statements.remove.run(tenant, row.id);
    statements.insert.run(tenant, row.id, row.keptAt, row.bytes, row.feedback, row.claimedAt ?? null, JSON.stringify(row.answer));
  });
  const remove = db.transaction((tenant: string, ids: readonly string[]) => {
    for (const id of ids) statements.remove.run(tenant, id);
  });
  return {
    where: path,
    put: async (tenant, row) => {
      put(tenant, row);
    },
    get: async (tenant, id) => {
      const row = statements.get.get(tenant, id) as SqliteRow | undefined;
      return row?.body === undefined ? undefined : { ...indexFromRow(row), answer: parseStoredAnswer(row.body, path) };
    },
    index: async (tenant) => (statements.index.all(tenant) as SqliteRow[]).map(indexFromRow),
    remove: async (tenant, ids) => {
      remove(tenant, ids);
    },
    claim: async (tenant, id, at, staleBefore) => statements.claim.run(at, tenant, id, staleBefore).changes > 0,
    settle: async (tenant, id, used) => {
      statements.settle.run(used ? 'used' : 'open', tenant, id);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
