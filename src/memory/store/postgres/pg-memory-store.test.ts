import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../../core/index.js';
import { TEST_DIMENSIONS, TEST_MODEL, newLesson } from '../store-test-support.js';
import { openPostgresMemoryStore } from './pg-memory-store.js';
import { PG_SCHEMA_VERSION } from './pg-schema.js';
import { startTestPostgres } from './pglite-test-support.js';
import type { TestPostgres } from './pglite-test-support.js';

async function failure(action: Promise<unknown>): Promise<{ code: string; message: string; hint: string } | unknown> {
  const error = await action.then(() => undefined, (caught: unknown) => caught);
  return isMmevolveError(error) ? { code: error.code, message: error.message, hint: error.hint } : error;
}

describe('the Postgres lesson store as a workspace', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  }, 120_000);
  afterAll(async () => postgres.stop());

  it('records its schema version in schema_version and keeps lessons across reopening', async () => {
    const schema = postgres.freshSchema();
    const store = await openPostgresMemoryStore({ url: postgres.url, schema, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL });
    const { lesson } = await store.forTenant('alice').insert(newLesson('Persist me', 'logic', 1));
    await store.close();
    const reopened = await openPostgresMemoryStore({ url: postgres.url, schema });
    try {
      expect([reopened.embeddingModel, reopened.dimensions, reopened.imageDimensions]).toEqual([TEST_MODEL, TEST_DIMENSIONS, TEST_DIMENSIONS]);
      expect(await reopened.forTenant('alice').get(lesson.id)).toEqual(lesson);
      expect((await reopened.stats()).schemaVersion).toBe(PG_SCHEMA_VERSION);
    } finally {
      await reopened.close();
    }
  });

  it('refuses other embeddings, and a schema written by a newer mmevolve, with typed errors and hints', async () => {
    const schema = postgres.freshSchema();
    await (await openPostgresMemoryStore({ url: postgres.url, schema, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL })).close();
    expect(await failure(openPostgresMemoryStore({ url: postgres.url, schema, embeddingModel: 'another-model' }))).toMatchObject({ code: 'embedding-mismatch', hint: expect.stringContaining('import') });
    expect(await failure(openPostgresMemoryStore({ url: postgres.url, schema: postgres.freshSchema() })), 'a new workspace needs its embedding').toMatchObject({ code: 'invalid-input' });
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`insert into ${schema}.schema_version (version, description) values ($1, 'from the future')`, [PG_SCHEMA_VERSION + 1]);
    await client.end();
    expect(await failure(openPostgresMemoryStore({ url: postgres.url, schema }))).toMatchObject({ code: 'schema-too-new', hint: expect.stringContaining('upgrade mmevolve') });
  });

  it('refuses a schema name that is not a plain identifier before connecting', async () => {
    expect(await failure(openPostgresMemoryStore({ url: postgres.url, schema: 'public; drop table x', dimensions: 8, embeddingModel: 'm' }))).toMatchObject({ code: 'config-invalid' });
  });
});

describe('a Postgres that cannot be reached', () => {
  it('fails with postgres-unavailable naming the URL without its password, and a hint', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const error = await failure(openPostgresMemoryStore({ url: 'postgres://lessons:s3cret-pw@127.0.0.1:1/memory', dimensions: 8, embeddingModel: 'm', connectTimeoutMs: 2_000 }));
    expect(error).toMatchObject({ code: 'postgres-unavailable', message: expect.stringContaining('postgres://lessons:***@127.0.0.1:1/memory'), hint: expect.stringContaining('listens') });
    expect(JSON.stringify(error), 'the password is never printed').not.toContain('s3cret-pw');
  });

  it('refuses a URL of another scheme with a config error', async () => {
    expect(await failure(openPostgresMemoryStore({ url: 'mysql://u:p@127.0.0.1/x', dimensions: 8, embeddingModel: 'm' }))).toMatchObject({ code: 'config-invalid' });
  });
});
