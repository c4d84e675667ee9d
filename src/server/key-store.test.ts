import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import type { TestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import { openPostgresApiKeyStore } from './key-rows-postgres.js';
import { ApiKeyStore, parseScopes } from './key-store.js';

const directory = mkdtempSync(join(tmpdir(), 'mmevolve-keys-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('API key store', () => {
  it('creates keys.db readable by its owner only (0600)', async () => {
    const path = join(directory, 'private-keys.db');
    const store = new ApiKeyStore(path);
    await store.create('acme', ['read']);
    store.close();
    expect((statSync(path).mode & 0o777).toString(8), 'keys.db mode').toBe('600');
  });

  it('stores only a salted hash: the secret never appears in the database file', async () => {
    const path = join(directory, 'keys.db');
    const store = new ApiKeyStore(path);
    const first = await store.create('acme', ['read', 'write'], 'ci');
    const second = await store.create('acme', ['read', 'write'], 'ci');
    store.close();
    const secret = first.key.slice('mmev_'.length + 16 + 1);
    const bytes = readFileSync(path);
    const wal = (() => {
      try {
        return readFileSync(`${path}-wal`);
      } catch {
        return Buffer.alloc(0);
      }
    })();
    expect(secret.length).toBe(43);
    expect(bytes.includes(secret) || wal.includes(secret), 'the clear secret is not stored').toBe(false);
    expect(first.key, 'two keys for the same tenant differ').not.toBe(second.key);
  });

  it('parses a scope list and names unknown scopes', () => {
    expect(parseScopes('read, write,read')).toEqual(['read', 'write']);
    expect(() => parseScopes('read,root')).toThrow(/root/);
    expect(() => parseScopes('')).toThrow(/scope/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('API keys verified and revoked across connections (%s)', (kind) => {
  let postgres: TestPostgres | undefined;
  let schema = '';
  if (kind === 'postgres') {
    beforeAll(async () => {
      postgres = await startTestPostgres();
      schema = postgres.freshSchema();
    }, 120_000);
    afterAll(async () => postgres?.stop());
  }
  /** A new connection to the same keys each call: the file reopened, or another Postgres pool. */
  const connect = async (): Promise<ApiKeyStore> => {
    if (postgres === undefined) return new ApiKeyStore(join(directory, `reopen-${kind}.db`));
    return openPostgresApiKeyStore({ url: postgres.url, schema });
  };

  it('verifies a key through another connection and refuses it after revocation', async () => {
    const first = await connect();
    const created = await first.create('acme', ['read']);
    await first.close();
    const reopened = await connect();
    const record = await reopened.verify(created.key);
    expect(record?.tenant).toBe('acme');
    expect(record?.scopes).toEqual(['read']);
    expect(await reopened.verify(`${created.key.slice(0, -1)}x`), 'a wrong secret').toBeUndefined();
    expect(await reopened.revoke(created.record.id)).toBe(true);
    expect(await reopened.revoke(created.record.id), 'revoking twice reports nothing to do').toBe(false);
    expect(await reopened.verify(created.key)).toBeUndefined();
    expect((await reopened.list())[0]?.revokedAt, 'list shows when the key was revoked').toBeTypeOf('string');
    await reopened.close();
  });
});
