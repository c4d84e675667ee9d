import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryStore, TenantMemory } from '../../core/index.js';
import { openMemoryStore } from './sqlite-memory-store.js';
import type { SqliteMemoryStore } from './sqlite-memory-store.js';
import { STORE_KINDS, TEST_DIMENSIONS, TEST_MODEL, axisVector, newLesson, useTestStores } from './store-test-support.js';
import { unitVector } from './vector-codec.js';

async function expectSearchesEmpty(tenant: TenantMemory, axes: number[]): Promise<void> {
  for (const axis of axes) {
    for (const stream of ['visual', 'logic'] as const) {
      expect(await tenant.searchByTextVector(stream, axisVector(axis), 100), `text search ${stream} axis ${axis}`).toEqual([]);
    }
    expect(await tenant.searchByImageVector(axisVector(axis), 100), `image search axis ${axis}`).toEqual([]);
  }
}

describe.each(STORE_KINDS)('deletion in the lesson store removes rows and vectors (%s)', (kind) => {
  const stores = useTestStores(kind);
  let store: MemoryStore;
  beforeEach(async () => {
    store = await stores.open({ onDisk: true });
  });

  it('deletes a lesson with all its versions, images and vectors', async () => {
    const tenant = store.forTenant('alice');
    const { lesson } = await tenant.insert(newLesson('Read the legend before the bars', 'visual', 1));
    await tenant.edit(lesson.id, { text: 'Read the legend before comparing bars', textVector: axisVector(2), addImageVectors: [{ imageRef: 'extra.png', vector: axisVector(5) }] });
    expect(await stores.countRows(store)).toEqual({ lessons: 1, versions: 2, images: 2, textVectors: 1, imageVectors: 2 });

    expect(await tenant.delete(lesson.id)).toBe(true);
    expect(await stores.countRows(store)).toEqual({ lessons: 0, versions: 0, images: 0, textVectors: 0, imageVectors: 0 });
    await expectSearchesEmpty(tenant, [1, 2, 5]);
    expect(await tenant.get(lesson.id)).toBeUndefined();
    expect(await tenant.delete(lesson.id), 'a second delete finds nothing').toBe(false);
  });

  it('clears one tenant completely and leaves the other tenant whole', async () => {
    const alice = store.forTenant('alice');
    const bob = store.forTenant('bob');
    for (let axis = 0; axis < 6; axis += 1) {
      await alice.insert(newLesson(`alice lesson ${axis}`, axis % 2 === 0 ? 'visual' : 'logic', axis));
      await bob.insert(newLesson(`bob lesson ${axis}`, axis % 2 === 0 ? 'visual' : 'logic', axis));
    }
    expect(await alice.clear()).toBe(6);
    expect(await alice.stats()).toEqual({ tenant: 'alice', lessons: 0, byStream: { visual: 0, logic: 0 }, versions: 0, textVectors: 0, imageVectors: 0 });
    await expectSearchesEmpty(alice, [0, 1, 2, 3, 4, 5]);
    expect(await stores.countRows(store)).toEqual({ lessons: 6, versions: 6, images: 3, textVectors: 6, imageVectors: 3 });
    expect((await bob.searchByTextVector('visual', axisVector(0), 10)).length).toBeGreaterThan(0);
  });

  it('deletes a tenant so that no row or vector of it remains anywhere in the file', async () => {
    const alice = store.forTenant('alice');
    for (let axis = 0; axis < 4; axis += 1) await alice.insert(newLesson(`alice lesson ${axis}`, 'visual', axis));
    expect(await store.deleteTenant('alice')).toBe(4);
    expect(await stores.countRows(store)).toEqual({ lessons: 0, versions: 0, images: 0, textVectors: 0, imageVectors: 0 });
    expect(await store.tenants()).toEqual([]);
    await expectSearchesEmpty(alice, [0, 1, 2, 3]);
    const stats = await store.stats();
    expect([stats.lessons, stats.versions, stats.textVectors, stats.imageVectors]).toEqual([0, 0, 0, 0]);
  });
});

describe('deletion in the SQLite lesson store leaves nothing on disk', () => {
  let directory: string;
  let path: string;
  let store: SqliteMemoryStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-memory-'));
    path = join(directory, 'memory.db');
    store = openMemoryStore({ path, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL });
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('does not leave a deleted lesson\'s text or vector readable in the database file', async () => {
    const marker = 'zq-secret-marker-7731 appears only in this lesson';
    const tenant = store.forTenant('alice');
    // A vector with an unmistakable byte pattern, to look for in the vec0 chunk blobs after deletion.
    const markerVector = Float32Array.from({ length: TEST_DIMENSIONS }, (_, index) => 7731.25 + index);
    const markerBytes = Buffer.from(markerVector.buffer);
    const { lesson } = await tenant.insert({ ...newLesson(marker, 'logic', 3), textVector: markerVector });
    await store.close();
    expect(readFileSync(path).includes(marker), 'the marker text is on disk before deletion').toBe(true);
    expect(readFileSync(path).includes(markerBytes), 'the marker vector is on disk before deletion').toBe(true);

    store = openMemoryStore({ path });
    expect(await store.forTenant('alice').delete(lesson.id)).toBe(true);
    await store.close();
    // Closing checkpoints the WAL into the main file; secure_delete zeroes freed content.
    expect(readFileSync(path).includes(marker), 'deleted text must not remain in the database file').toBe(false);
    expect(readFileSync(path).includes(markerBytes), 'deleted vector bytes must not remain in the database file').toBe(false);
    store = openMemoryStore({ path });
  });

  it('does not leave a deleted lesson\'s vector in the HNSW graph files beside the database', async () => {
    const graphPath = join(directory, 'graph.db');
    const options = { path: graphPath, textSearch: { twoStageAbove: 10, oversample: 1, minCandidates: 1 } };
    const markerVector = unitVector(Float32Array.from({ length: TEST_DIMENSIONS }, (_, index) => 7731.25 + index));
    const markerBytes = Buffer.from(markerVector.buffer);
    const graphFiles = (): Buffer[] => readdirSync(`${graphPath}.hnsw`).map((name) => readFileSync(join(`${graphPath}.hnsw`, name)));
    let wide = openMemoryStore({ ...options, dimensions: TEST_DIMENSIONS, embeddingModel: TEST_MODEL });
    const tenant = wide.forTenant('alice');
    for (let axis = 0; axis < 30; axis += 1) await tenant.insert(newLesson(`filler lesson ${axis}`, 'logic', axis, axis / 10));
    const { lesson } = await tenant.insert({ ...newLesson('a lesson with a marked vector', 'logic', 3), textVector: markerVector });
    expect((await tenant.searchByTextVector('logic', markerVector, 1))[0]?.lesson.id, 'the graph finds the marked lesson').toBe(lesson.id);
    await wide.close();
    expect(graphFiles().some((file) => file.includes(markerBytes)), 'the marker vector is in a graph file before deletion').toBe(true);

    wide = openMemoryStore(options);
    expect(await wide.forTenant('alice').delete(lesson.id)).toBe(true);
    expect((await wide.forTenant('alice').searchByTextVector('logic', markerVector, 1))[0]?.lesson.id).not.toBe(lesson.id);
    await wide.close();
    expect(graphFiles().some((file) => file.includes(markerBytes)), 'a deleted vector must not remain in any graph file').toBe(false);
  });

  it('removes a deleted lesson\'s text from the database file and its -wal while the store stays open', async () => {
    const marker = 'zq-wal-marker-4419 appears only in this lesson';
    const tenant = store.forTenant('alice');
    const { lesson } = await tenant.insert(newLesson(marker, 'logic', 3));
    const onDisk = (): boolean => [path, `${path}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(marker));
    expect(onDisk(), 'the marker is on disk (db or -wal) after the insert').toBe(true);
    expect(await tenant.delete(lesson.id)).toBe(true);
    expect(onDisk(), 'deleted text must leave the db and -wal files when delete returns, without a close').toBe(false);
    await tenant.insert(newLesson(`${marker} again`, 'logic', 4));
    expect(await tenant.clear()).toBe(1);
    expect(onDisk(), 'clear() forgets the WAL frames too').toBe(false);
  });

  it('creates the database file readable by its owner only (0600), and its -wal alike', async () => {
    await store.forTenant('alice').insert(newLesson('a lesson', 'logic', 1));
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    if (existsSync(`${path}-wal`)) expect((statSync(`${path}-wal`).mode & 0o777).toString(8)).toBe('600');
  });
});
