import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import type { LessonVersion, MemoryExportRecord, MemoryStore, TenantMemory } from '../../core/index.js';
import { parseExportRecord } from './export-import.js';
import { STORE_KINDS, TEST_DIMENSIONS, TEST_MODEL, axisVector, newLesson, useTestStores } from './store-test-support.js';
import type { TestStoreOptions } from './store-test-support.js';

async function collect(records: AsyncIterable<MemoryExportRecord>): Promise<MemoryExportRecord[]> {
  const collected: MemoryExportRecord[] = [];
  for await (const record of records) collected.push(record);
  return collected;
}

/** Through text, exactly as the CLI writes and reads the JSONL file. */
function throughJsonl(records: MemoryExportRecord[]): MemoryExportRecord[] {
  const file = records.map((record) => JSON.stringify(record)).join('\n');
  return file.split('\n').map((line, index) => parseExportRecord(JSON.parse(line), index + 1));
}

async function snapshot(tenant: TenantMemory): Promise<{ lessons: unknown[]; versions: LessonVersion[][] }> {
  const { lessons } = await tenant.list({ limit: 1000 });
  const versions = await Promise.all(lessons.map((lesson) => tenant.versions(lesson.id)));
  return { lessons, versions };
}

/** A tenant with every kind of content: both streams, several images, merges with notes, restores, usage. */
async function populate(tenant: TenantMemory): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  const insert = async (text: string, stream: 'visual' | 'logic', axis: number, nudge: number) => {
    const lesson = newLesson(text, stream, axis, nudge);
    vectors.set(text, lesson.textVector);
    for (const image of lesson.imageVectors ?? []) vectors.set(image.imageRef, image.vector);
    return (await tenant.insert(lesson)).lesson;
  };
  const visual = await insert('Read values where the curve crosses the gridline', 'visual', 1, 0.1);
  const logic = await insert('Convert degrees to radians before using the formula', 'logic', 2, 0.2);
  await insert('Ünïcode lesson: 角度 ≠ “angle” — keep both', 'logic', 3, 0.3);
  const mergedText = 'Convert degrees to radians (π rad = 180°) before using the formula';
  vectors.set(mergedText, axisVector(2, 0.7));
  await tenant.edit(logic.id, {
    text: mergedText,
    textVector: axisVector(2, 0.7),
    provenance: { kind: 'merged', fromLessonIds: [logic.id, 'les_gone'], fromVersions: [1, 3], note: 'merge kept π and 180' },
  });
  await tenant.restore(logic.id, 1);
  vectors.set('second.png', axisVector(5, 0.25));
  await tenant.edit(visual.id, { subject: 'charts', addImageVectors: [{ imageRef: 'second.png', vector: axisVector(5, 0.25) }] });
  await tenant.recordUsage([visual.id, visual.id, logic.id]);
  return vectors;
}

describe.each(STORE_KINDS)('export and import of a tenant\'s lessons (%s)', (kind) => {
  const stores = useTestStores(kind);
  const open = (overrides: TestStoreOptions = {}): Promise<MemoryStore> => stores.open(overrides);

  it('round-trips losslessly through JSONL with embeddings', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const exported = await collect(source.export());
    const target = (await open({ now: () => new Date(0) })).forTenant('alice');

    const report = await target.import(throughJsonl(exported));
    expect(report).toEqual({ imported: 3, skipped: 0, reembedded: 0, warnings: [] });
    expect(await snapshot(target)).toEqual(await snapshot(source));
    expect(await collect(target.export()), 're-exporting the import gives the same records, vectors included').toEqual(exported);
    const query = axisVector(5, 0.25);
    expect(await target.searchByImageVector(query, 3)).toEqual(await source.searchByImageVector(query, 3));
  });

  it('round-trips losslessly without embeddings when the import re-embeds with the same model', async () => {
    const source = (await open()).forTenant('alice');
    const vectors = await populate(source);
    const exported = await collect(source.export({ embeddings: false }));
    expect(JSON.stringify(exported).includes('textVectors'), 'no embeddings in the export').toBe(false);
    const target = (await open()).forTenant('alice');
    const lookup = (keys: string[]): Promise<Float32Array[]> => Promise.resolve(keys.map((key) => vectors.get(key) ?? new Float32Array(0)));

    const report = await target.import(throughJsonl(exported), { reembedTexts: lookup, reembedImages: lookup });
    expect(report.imported).toBe(3);
    expect(await snapshot(target)).toEqual(await snapshot(source));
    expect(await collect(target.export())).toEqual(await collect(source.export()));
  });

  it('refuses an export without embeddings when no re-embedding callback is given', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const error = await (await open()).forTenant('alice').import(await collect(source.export({ embeddings: false }))).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? [error.code, error.hint.includes('re-embed')] : error).toEqual(['embedding-mismatch', true]);
  });

  it('re-embeds every version through the callback when importing into another embedding model', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const target = (await open({ dimensions: 4, embeddingModel: 'other-model-v2' })).forTenant('alice');
    const calls: string[][] = [];
    const reembedTexts = (texts: string[]): Promise<Float32Array[]> => {
      calls.push(texts);
      return Promise.resolve(texts.map((_, index) => axisVector(index % 4, 0.1, 4)));
    };

    const report = await target.import(source.export(), { reembedTexts });
    const versionCount = (await snapshot(source)).versions.flat().length;
    expect(calls.flat().length, 'one text per version (old versions stay restorable)').toBe(versionCount);
    expect(report.reembedded).toBe(3);
    expect(report.warnings.map((warning) => warning.code), 'image vectors of the other model cannot be kept without an image embedder').toEqual(['image-vectors-dropped']);
    const imported = await snapshot(target);
    expect(imported.lessons.map((lesson) => (lesson as { embeddingModel: string }).embeddingModel)).toEqual(['other-model-v2', 'other-model-v2', 'other-model-v2']);
    expect(imported.versions.flat().every((version) => version.embeddingModel === 'other-model-v2')).toBe(true);
    const original = await snapshot(source);
    expect(imported.versions.map((versions) => versions.map((version) => [version.version, version.text, version.provenance]))).toEqual(
      original.versions.map((versions) => versions.map((version) => [version.version, version.text, version.provenance])),
    );
    expect((await target.searchByTextVector('logic', axisVector(0, 0.1, 4), 5)).length).toBeGreaterThan(0);
  });

  it('refuses ids that already exist unless asked to skip them', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const exported = await collect(source.export());
    const target = (await open()).forTenant('bob');
    await target.import(exported);
    const error = await target.import(exported).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? error.code : error).toBe('conflict');
    expect(await target.import(exported, { onConflict: 'skip' })).toEqual({ imported: 0, skipped: 3, reembedded: 0, warnings: [] });
    expect((await target.stats()).lessons).toBe(3);
  });

  it('treats a repeated id or text within one import file as a conflict, not a database error', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const [header, first, second] = await collect(source.export());
    if (header === undefined || first?.type !== 'lesson' || second?.type !== 'lesson') throw new Error('export shape changed');
    const sameText = { ...second, lesson: { ...second.lesson, id: 'les_other', stream: first.lesson.stream }, versions: second.versions.map((version) => ({ ...version, text: first.versions.at(-1)?.text ?? '' })) };
    sameText.versions = sameText.versions.slice(-1).map((version) => ({ ...version, version: second.lesson.version }));
    sameText.textVectors = second.textVectors?.slice(-1) ?? [];
    for (const duplicate of [first, sameText]) {
      const target = (await open()).forTenant('bob');
      const error = await target.import([header, first, duplicate]).then(() => undefined, (caught: unknown) => caught);
      expect(isMmevolveError(error) ? error.code : error).toBe('conflict');
      expect(await (await open()).forTenant('bob').import([header, first, duplicate], { onConflict: 'skip' })).toMatchObject({ imported: 1, skipped: 1 });
    }
  });

  it('finds conflicts with the store in every batch of a long import: existing ids and texts are skipped, the rest imported', async () => {
    const store = await open();
    const tenant = store.forTenant('bob');
    const header: MemoryExportRecord = { type: 'header', format: 'mmevolve-memory', formatVersion: 1, tenant: 'alice', embeddingModel: TEST_MODEL, dimensions: TEST_DIMENSIONS, imageEmbeddingModel: TEST_MODEL, imageDimensions: TEST_DIMENSIONS, lessonCount: 600, includesEmbeddings: true };
    const record = (index: number, text = `Imported lesson number ${index}`, id = `les_imported_${index}`): MemoryExportRecord => {
      const source = { problemId: `p${index}`, question: 'q', imageRefs: [] };
      const provenance = { kind: 'written' as const, fromLessonIds: [], fromVersions: [] };
      const at = '2026-01-01T00:00:00.000Z';
      return {
        type: 'lesson',
        lesson: { id, tenant: 'alice', stream: 'logic', text, subject: 's', concepts: [], source, createdAt: at, updatedAt: at, usageCount: 0, version: 1, provenance, embeddingModel: TEST_MODEL },
        versions: [{ lessonId: id, version: 1, text, subject: 's', concepts: [], source, createdAt: at, provenance, embeddingModel: TEST_MODEL }],
        textVectors: [Array.from(axisVector(index, 0.1))],
        images: [],
      };
    };
    // Already in the store: records 3 and 300 by id (first and second batch of 256), 511 by text under another id.
    await tenant.import([header, record(3), record(300), record(900, 'Imported lesson number 511', 'les_other_511')]);
    const all = Array.from({ length: 600 }, (_, index) => record(index));
    expect(await tenant.import([header, ...all], { onConflict: 'skip' })).toEqual({ imported: 597, skipped: 3, reembedded: 0, warnings: [] });
    expect((await tenant.stats()).lessons).toBe(600);
    const error = await store.forTenant('carol').import([header, record(900, 'Imported lesson number 511', 'les_other_511')]).then(async () =>
      store.forTenant('carol').import([header, ...all.slice(0, 600)]).then(() => undefined, (caught: unknown) => caught),
    );
    expect(isMmevolveError(error) ? [error.code, error.message] : error).toEqual(['conflict', expect.stringContaining('lesson les_imported_511 has the text of an existing lesson')]);
    expect((await store.forTenant('carol').stats()).lessons, 'the batches before the conflicting one stay imported').toBe(257);
  });

  it('refuses a text vector that is not an array of numbers, naming the record', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const [header, first] = await collect(source.export());
    if (header === undefined || first?.type !== 'lesson') throw new Error('export shape changed');
    const target = (await open()).forTenant('bob');
    for (const textVectors of [[['1', 0, 0, 0]], [{ 0: 1 }], [[1, null, 0, 0]]]) {
      const error = await target.import([header, { ...first, textVectors } as unknown as MemoryExportRecord]).then(() => undefined, (caught: unknown) => caught);
      expect(isMmevolveError(error) ? [error.code, error.message] : error).toEqual(['invalid-input', expect.stringContaining('record 2 is invalid')]);
    }
    const wrongSize = await target.import([header, { ...first, textVectors: first.versions.map(() => [1, 0]) }]).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(wrongSize) ? wrongSize.code : wrongSize).toBe('embedding-mismatch');
    expect((await target.stats()).lessons).toBe(0);
  });

  it('refuses a re-embedding callback that returns the wrong number of vectors', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const target = (await open({ dimensions: 4, embeddingModel: 'other-model-v2' })).forTenant('alice');
    const error = await target
      .import(source.export(), { reembedTexts: (texts) => Promise.resolve(texts.slice(1).map(() => axisVector(0, 0, 4))) })
      .then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? [error.code, error.message] : error).toEqual(['invalid-input', expect.stringContaining('reembedTexts returned')]);
    expect((await target.stats()).lessons).toBe(0);
  });

  it('rejects files without a header or with malformed records before writing anything', async () => {
    const source = (await open()).forTenant('alice');
    await populate(source);
    const [header, first] = await collect(source.export());
    const target = (await open()).forTenant('alice');
    const codeOf = async (records: unknown[]): Promise<unknown> => {
      const error = await target.import(records as MemoryExportRecord[]).then(() => undefined, (caught: unknown) => caught);
      return isMmevolveError(error) ? error.code : error;
    };
    expect(await codeOf([first])).toBe('invalid-input');
    expect(await codeOf([])).toBe('invalid-input');
    expect(await codeOf([header, { ...first, lesson: { id: 42 } }])).toBe('invalid-input');
    expect(() => parseExportRecord({ type: 'lesson', lesson: {} }, 7)).toThrow(/line 7/);
    expect((await target.stats()).lessons).toBe(0);
  });
});
