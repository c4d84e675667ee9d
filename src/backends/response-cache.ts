/**
 * Content-addressed response cache in SQLite (WAL): the key hashes the model, the messages, the image content
 * hashes, the schema and every sampling parameter, so a rerun of an evaluation costs zero model calls.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../core/index.js';
import type { Usage } from '../core/index.js';

export interface CachedResponse {
  text: string;
  usage: Usage;
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, model: string, response: CachedResponse): void;
  /** Number of stored responses. */
  size(): number;
  close(): void;
}

export function cacheKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** `path` ':memory:' keeps the cache in-process (tests). */
export function createResponseCache(path: string): ResponseCache {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.exec(`CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created_at TEXT NOT NULL
  )`);
  const select = database.prepare<[string], { text: string; prompt_tokens: number; completion_tokens: number }>(
    'SELECT text, prompt_tokens, completion_tokens FROM responses WHERE key = ?',
  );
  const insert = database.prepare(
    'INSERT OR REPLACE INTO responses (key, model, text, prompt_tokens, completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const count = database.prepare<[], { total: number }>('SELECT COUNT(*) AS total FROM responses');
  return {
    get(key) {
      const row = select.get(key);
      return row === undefined
        ? undefined
        : { text: row.text, usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens } };
    },
    set(key, model, response) {
      insert.run(key, model, response.text, response.usage.promptTokens, response.usage.completionTokens, new Date().toISOString());
    },
    size: () => count.get()?.total ?? 0,
    close: () => database.close(),
  };
}
