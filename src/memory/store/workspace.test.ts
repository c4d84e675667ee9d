import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import { SCHEMA_VERSION } from './schema.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import { TEST_DIMENSIONS, TEST_MODEL, newLesson } from './store-test-support.js';

function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return isMmevolveError(error) ? error.code : error;
  }
  return 'no error';
}

describe('memory workspaces on disk', () => {
  let directory: string;
  let path: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-workspace-'));
    path = join(directory, 'nested', 'memory.db');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('creates the file with its folder, records the schema version and keeps lessons across reopening', async () => {
    const store = openMemoryStore({ path, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL });
    const { lesson } = await store.forTenant('alice').insert(newLesson('Persist me', 'logic', 1));
    await store.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const reopened = openMemoryStore({ path });
    expect([reopened.embeddingModel, reopened.dimensions, reopened.imageDimensions]).toEqual([TEST_MODEL, TEST_DIMENSIONS, TEST_DIMENSIONS]);
    expect(await reopened.forTenant('alice').get(lesson.id)).toEqual(lesson);
    expect((await reopened.stats()).schemaVersion).toBe(SCHEMA_VERSION);
    await reopened.close();
  });

  it('refuses to open a workspace with another embedding model or size, with a hint to re-embed', async () => {
    await openMemoryStore({ path, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL }).close();
    for (const options of [{ embeddingModel: 'another-model' }, { dimensions: 16 }, { imageEmbeddingModel: 'clip-x' }]) {
      let caught: unknown;
      try {
        openMemoryStore({ path, ...options });
      } catch (error) {
        caught = error;
      }
      expect(isMmevolveError(caught) ? [caught.code, /import/.test(caught.hint)] : caught, JSON.stringify(options)).toEqual(['embedding-mismatch', true]);
    }
  });

  it('needs the embedding model and size to create a new workspace', () => {
    expect(codeOf(() => openMemoryStore({ path }))).toBe('invalid-input');
    expect(codeOf(() => openMemoryStore({ path, dimensions: 0, embeddingModel: TEST_MODEL }))).toBe('invalid-input');
  });

  it('refuses a database written by a newer schema', async () => {
    await openMemoryStore({ path, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL }).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(codeOf(() => openMemoryStore({ path }))).toBe('schema-too-new');
  });
});
