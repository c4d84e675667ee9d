import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../backends/index.js';
import { isMmevolveError } from '../core/index.js';
import { PostgresMemoryStore } from '../memory/index.js';
import { startTestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import type { TestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import { parseAppConfig } from './config.js';
import { openWorkspace } from './workspace.js';

describe('a workspace whose config says store: {kind: postgres}', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  }, 120_000);
  afterAll(async () => postgres.stop());

  it('opens its lessons on Postgres, made for the configured embedder, and names the store without the password', async () => {
    const schema = postgres.freshSchema();
    const config = parseAppConfig({ backends: { embedder: { kind: 'offline' } }, store: { kind: 'postgres', url: postgres.url, schema } });
    const workspace = openWorkspace(config);
    try {
      const store = await workspace.store();
      expect(store, 'the store is the Postgres one').toBeInstanceOf(PostgresMemoryStore);
      expect(store.embeddingModel).toBe(createOfflineEmbedder().model);
      expect(workspace.storePath).toContain(`(schema ${schema})`);
      expect(workspace.storePath, 'no password in the label').not.toContain('test-password');
      const { lesson } = await store.forTenant('alice').insert({ stream: 'logic', text: 'Shared across replicas', subject: 's', concepts: [], source: { problemId: 'p', question: 'q', imageRefs: [] }, textVector: (await createOfflineEmbedder().embedTexts(['Shared across replicas'], { stage: 'test' }))[0] as Float32Array });
      const second = openWorkspace(config);
      try {
        expect(await (await second.store()).forTenant('alice').get(lesson.id), 'a second workspace on the same config sees the lesson').toEqual(lesson);
      } finally {
        await second.close();
      }
    } finally {
      await workspace.close();
    }
  });

  it('fails to open with postgres-unavailable, naming the URL without its password', async () => {
    const config = parseAppConfig({ backends: { embedder: { kind: 'offline' } }, store: { kind: 'postgres', url: 'postgres://lessons:hunter2-secret@127.0.0.1:1/memory' } });
    const workspace = openWorkspace(config);
    const error = await workspace.store().then(() => undefined, (caught: unknown) => caught);
    await workspace.close();
    expect(isMmevolveError(error) ? [error.code, error.message.includes('postgres://lessons:***@127.0.0.1:1/memory'), error.hint.length > 0] : error).toEqual(['postgres-unavailable', true, true]);
    expect(String(isMmevolveError(error) ? `${error.message} ${error.hint}` : error)).not.toContain('hunter2-secret');
  });
});
