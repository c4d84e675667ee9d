/**
 * API keys in their own SQLite file, or in the workspace's Postgres when the store is there (key-rows-postgres.ts,
 * shared by every serve replica): only a scrypt hash with a per-key salt is stored, the key itself is
 * shown once at creation. A key reads `mmev_<id>_<secret>`; the id finds the row, so verifying costs one
 * scrypt, and the secret is compared in constant time. Verified keys are remembered by SHA-256 of the
 * whole key so the next request skips scrypt; revocation is read from the row on every request.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { mmevolveError } from '../core/index.js';

export const API_KEY_SCOPES = ['read', 'write', 'segment', 'solve', 'runs', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const DEFAULT_KEYS_DB_PATH = '.mmevolve/keys.db';

// OWASP's scrypt minimum (N = 2^17 is their first choice; 2^15 keeps `keys create` and a cold verify fast).
const SCRYPT_COST = 32768;
const SCRYPT_BLOCK_SIZE = 8;
const HASH_BYTES = 32;
const KEY_PATTERN = /^mmev_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  scopes: ApiKeyScope[];
  label: string;
  createdAt: string;
  revokedAt?: string;
}

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The only time the key is available in clear. */
  key: string;
}

export interface KeyRow {
  id: string;
  tenant: string;
  scopes: string;
  label: string;
  salt: Buffer;
  hash: Buffer;
  created_at: string;
  revoked_at: string | null;
}

function scryptHash(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, HASH_BYTES, { N: SCRYPT_COST, r: SCRYPT_BLOCK_SIZE, p: 1, maxmem: 256 * SCRYPT_COST * SCRYPT_BLOCK_SIZE }, (error, derived) => {
      if (error === null) resolve(derived);
      else reject(error);
    });
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** "read,write" → ['read', 'write']; unknown names are an invalid-input error naming the allowed ones. */
export function parseScopes(text: string): ApiKeyScope[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isApiKeyScope(name));
  if (unknown.length > 0 || names.length === 0) {
    throw mmevolveError('invalid-input', `unknown scope(s): ${unknown.join(', ') || '(none given)'}`, `Scopes are a comma-separated list of ${API_KEY_SCOPES.join(', ')}.`);
  }
  return [...new Set(names.filter(isApiKeyScope))];
}

function toRecord(row: KeyRow): ApiKeyRecord {
  const record: ApiKeyRecord = { id: row.id, tenant: row.tenant, scopes: row.scopes.split(',').filter(isApiKeyScope), label: row.label, createdAt: row.created_at };
  if (row.revoked_at !== null) record.revokedAt = row.revoked_at;
  return record;
}

/** Where the key rows live: this SQLite file, or a Postgres table (key-rows-postgres.ts). */
export interface KeyRows {
  get(id: string): Promise<KeyRow | undefined>;
  insert(row: KeyRow): Promise<void>;
  all(): Promise<KeyRow[]>;
  /** Sets revoked_at on a live key; false when the id is unknown or already revoked. */
  revoke(id: string, at: string): Promise<boolean>;
  close(): Promise<void>;
}

function sqliteKeyRows(path: string): KeyRows {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    // Key hashes are secrets' stand-ins: owner-only from the start (SQLite gives -wal and -shm the same mode).
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`create table if not exists api_keys (
    id text primary key,
    tenant text not null,
    scopes text not null,
    label text not null default '',
    salt blob not null,
    hash blob not null,
    created_at text not null,
    revoked_at text
  )`);
  return {
    get: async (id) => db.prepare('select * from api_keys where id = ?').get(id) as KeyRow | undefined,
    insert: async (row) => {
      db.prepare('insert into api_keys (id, tenant, scopes, label, salt, hash, created_at) values (?, ?, ?, ?, ?, ?, ?)').run(row.id, row.tenant, row.scopes, row.label, row.salt, row.hash, row.created_at);
    },
    all: async () => db.prepare('select * from api_keys order by created_at, id').all() as KeyRow[],
    revoke: async (id, at) => db.prepare('update api_keys set revoked_at = ? where id = ? and revoked_at is null').run(at, id).changes > 0,
    close: async () => {
      if (db.open) db.close();
    },
  };
}

export class ApiKeyStore {
  /** The SQLite file, or the Postgres URL without its password. */
  readonly path: string;
  readonly #rows: KeyRows;
  readonly #verified = new Map<string, Buffer>();

  /** A SQLite file (or ':memory:'), or rows kept elsewhere under the given label. */
  constructor(path: string, rows?: KeyRows) {
    this.path = path;
    this.#rows = rows ?? sqliteKeyRows(path);
  }

  async create(tenant: string, scopes: readonly ApiKeyScope[], label = ''): Promise<CreatedApiKey> {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is this check's purpose.
    if (tenant.trim() === '' || tenant.length > 200 || /[\u0000-\u001f]/u.test(tenant)) {
      throw mmevolveError('invalid-input', 'tenant must be 1–200 printable characters', 'e.g. --tenant acme');
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16);
    const hash = await scryptHash(secret, salt);
    const createdAt = new Date().toISOString();
    await this.#rows.insert({ id, tenant, scopes: [...new Set(scopes)].join(','), label, salt, hash, created_at: createdAt, revoked_at: null });
    return { record: { id, tenant, scopes: [...new Set(scopes)], label, createdAt }, key: `mmev_${id}_${secret}` };
  }

  /**
   * The key's record when it exists, is not revoked and the secret matches; undefined otherwise.
   * `beforeHash(id)` runs right before a scrypt is spent on a live key id (it may throw to refuse it);
   * it is not called for malformed keys, unknown or revoked ids, or keys verified before.
   */
  async verify(key: string, beforeHash?: (id: string) => void | Promise<void>): Promise<ApiKeyRecord | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (match === null) return undefined;
    const [, id = '', secret = ''] = match;
    // Read on every request, so a key revoked through any replica is refused by all of them at once.
    const row = await this.#rows.get(id);
    if (row === undefined || row.revoked_at !== null) return undefined;
    const digest = sha256(key);
    const remembered = this.#verified.get(id);
    if (remembered !== undefined && timingSafeEqual(remembered, digest)) return toRecord(row);
    await beforeHash?.(id);
    const hash = await scryptHash(secret, row.salt);
    if (hash.length !== row.hash.length || !timingSafeEqual(hash, row.hash)) return undefined;
    this.#verified.set(id, digest);
    return toRecord(row);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.#rows.all()).map(toRecord);
  }

  /** true when a live key was revoked; false when the id is unknown or already revoked. */
  async revoke(id: string): Promise<boolean> {
    this.#verified.delete(id);
    return this.#rows.revoke(id, new Date().toISOString());
  }

  async close(): Promise<void> {
    await this.#rows.close();
  }
}

export function openApiKeyStore(path: string = DEFAULT_KEYS_DB_PATH): ApiKeyStore {
  return new ApiKeyStore(path);
}
