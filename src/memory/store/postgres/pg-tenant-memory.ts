/** One tenant's view of the Postgres lesson store: every statement is bound to `context.tenant`. */
import type pg from 'pg';
import type {
  ExportOptions,
  ImportOptions,
  ImportReport,
  InsertResult,
  Lesson,
  LessonEdit,
  LessonPage,
  LessonProvenance,
  LessonStream,
  LessonVersion,
  LessonWrite,
  LessonWriteResult,
  ListOptions,
  MemoryExportRecord,
  NewLesson,
  ScoredLesson,
  TenantMemory,
  TenantStats,
} from '../../../core/index.js';
import { mmevolveError, normaliseLessonText } from '../../../core/index.js';
import { checkImagesAllowed, checkStream, checkText, kneighbours, notFound } from '../input-checks.js';
import { cleanProvenance, cleanSource, rowToLesson, rowToVersion } from '../lesson-rows.js';
import type { LessonRow, VersionRow } from '../lesson-rows.js';
import { checkVector, isZeroVector } from '../vector-codec.js';
import { inTransaction, isUniqueViolation } from './pg-connection.js';
import type { Queryable } from './pg-connection.js';
import { addImageRows, appendCurrentVersion, clearTenantRows, deleteLessonRow, insertLessonRows } from './pg-lesson-writes.js';
import type { PgTenantContext } from './pg-lesson-writes.js';
import { nearestImages, nearestTexts } from './pg-search.js';
import type { PgHit } from './pg-search.js';
import { exportPgTenant, importIntoPgTenant } from './pg-transfer.js';
import { fromPgVector } from './pg-vector.js';

const DEFAULT_PAGE_SIZE = 100;

export class PostgresTenantMemory implements TenantMemory {
  readonly tenant: string;
  readonly #context: PgTenantContext;

  constructor(context: PgTenantContext) {
    this.#context = context;
    this.tenant = context.tenant;
  }

  async insert(lesson: NewLesson): Promise<InsertResult> {
    return this.#write((client) => this.#insertNow(client, lesson));
  }

  async edit(id: string, edit: LessonEdit): Promise<Lesson> {
    return this.#write((client) => this.#editNow(client, id, edit));
  }

  async applyWrites(writes: readonly LessonWrite[]): Promise<LessonWriteResult[]> {
    // One transaction: a write that throws rolls back every earlier one.
    return this.#write(async (client) => {
      const results: LessonWriteResult[] = [];
      for (const write of writes) {
        results.push(write.kind === 'insert' ? { kind: 'insert', inserted: await this.#insertNow(client, write.lesson) } : { kind: 'edit', lesson: await this.#editNow(client, write.id, write.edit) });
      }
      return results;
    });
  }

  async get(id: string): Promise<Lesson | undefined> {
    const row = await this.#row(this.#context.pool, id);
    return row === undefined ? undefined : rowToLesson(row);
  }

  async list(options: ListOptions = {}): Promise<LessonPage> {
    const { pool, sql } = this.#context;
    const filter = [this.tenant, options.stream ?? null, options.subject ?? null];
    const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_PAGE_SIZE));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const rows = await pool.query<LessonRow>(sql.listLessons, [...filter, limit, offset]);
    const count = await pool.query<{ count: number }>(sql.countLessons, filter);
    return { lessons: rows.rows.map(rowToLesson), total: count.rows[0]?.count ?? 0 };
  }

  async searchByTextVector(stream: LessonStream, vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]> {
    const { workspace } = this.#context;
    checkStream(stream);
    const limit = kneighbours(k);
    if (limit === 0 || isZeroVector(vector)) return [];
    checkVector(vector, workspace.dimensions, workspace.embeddingModel, 'query vector');
    return this.#scored(await nearestTexts(this.#context, stream, vector, limit), minScore);
  }

  async searchByImageVector(vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]> {
    const { workspace } = this.#context;
    const limit = kneighbours(k);
    if (limit === 0 || isZeroVector(vector)) return [];
    checkVector(vector, workspace.imageDimensions, workspace.imageEmbeddingModel, 'query image vector');
    return this.#scored(await nearestImages(this.#context, vector, limit), minScore);
  }

  async textVectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const wanted = ids.filter(storable);
    const { rows } = await this.#context.pool.query<{ id: string; text_vector: string }>(this.#context.sql.currentTextVectors, [this.tenant, wanted]);
    return new Map(rows.map((row) => [row.id, fromPgVector(row.text_vector)]));
  }

  async findExact(stream: LessonStream, normalisedText: string): Promise<Lesson | undefined> {
    return this.#byNormalisedText(this.#context.pool, stream, normalisedText);
  }

  async versions(id: string): Promise<LessonVersion[]> {
    if (!storable(id)) throw notFound(id);
    const { rows } = await this.#context.pool.query<VersionRow<string>>(this.#context.sql.versionsOfLesson, [this.tenant, id]);
    if (rows.length === 0) throw notFound(id);
    return rows.map(rowToVersion);
  }

  async restore(id: string, version: number): Promise<Lesson> {
    return this.#write(async (client) => {
      const row = await this.#requireRow(client, id);
      const old = await this.#version(client, id, version);
      const provenance: LessonProvenance = { kind: 'restored', fromLessonIds: [id], fromVersions: [version] };
      await this.#refuseDuplicate(client, row, old.text);
      await appendCurrentVersion(client, this.#context, row.rowid, {
        version: { ...old, version: row.current_version + 1, createdAt: this.#context.now().toISOString(), provenance },
        textVector: old.textVector,
      });
      return rowToLesson(await this.#requireRow(client, id));
    });
  }

  async recordUsage(ids: readonly string[]): Promise<number> {
    const wanted = ids.filter(storable);
    if (wanted.length === 0) return 0;
    const { rows } = await this.#context.pool.query<{ uses: number }>(this.#context.sql.incrementUsage, [this.tenant, wanted]);
    return rows.reduce((sum, row) => sum + row.uses, 0);
  }

  async delete(id: string): Promise<boolean> {
    return this.#write(async (client) => {
      const row = await this.#row(client, id, true);
      return row === undefined ? false : deleteLessonRow(client, this.#context, row.rowid);
    });
  }

  async clear(): Promise<number> {
    return this.#write((client) => clearTenantRows(client, this.#context));
  }

  export(options: ExportOptions = {}): AsyncIterable<MemoryExportRecord> {
    return exportPgTenant(this.#context, options);
  }

  async import(records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>, options: ImportOptions = {}): Promise<ImportReport> {
    return importIntoPgTenant(this.#context, records, options);
  }

  async stats(): Promise<TenantStats> {
    const { rows } = await this.#context.pool.query<{ lessons: number; visual: number; versions: number; images: number }>(this.#context.sql.tenantCounts, [this.tenant]);
    const counts = rows[0] ?? { lessons: 0, visual: 0, versions: 0, images: 0 };
    return {
      tenant: this.tenant,
      lessons: counts.lessons,
      byStream: { visual: counts.visual, logic: counts.lessons - counts.visual },
      versions: counts.versions,
      // The current text vector is a column of the lesson row, so there is one per lesson.
      textVectors: counts.lessons,
      imageVectors: counts.images,
    };
  }

  async #insertNow(client: pg.PoolClient, lesson: NewLesson): Promise<InsertResult> {
    const { workspace } = this.#context;
    checkText(lesson.text);
    checkStorableText(lesson.text);
    checkStream(lesson.stream);
    checkImagesAllowed(lesson.stream, lesson.imageVectors?.length ?? 0);
    checkVector(lesson.textVector, workspace.dimensions, workspace.embeddingModel, 'lesson text vector');
    const images = lesson.imageVectors ?? [];
    for (const image of images) checkVector(image.vector, workspace.imageDimensions, workspace.imageEmbeddingModel, `image vector of ${image.imageRef}`);
    const existing = await this.#byNormalisedText(client, lesson.stream, normaliseLessonText(lesson.text));
    if (existing !== undefined) return { lesson: existing, created: false };
    const now = this.#context.now().toISOString();
    const id = this.#context.newId();
    const version: LessonVersion = {
      lessonId: id,
      version: 1,
      text: lesson.text,
      subject: lesson.subject,
      concepts: [...lesson.concepts],
      source: cleanSource(lesson.source),
      createdAt: now,
      provenance: cleanProvenance(lesson.provenance ?? { kind: 'written', fromLessonIds: [], fromVersions: [] }),
      embeddingModel: workspace.embeddingModel,
    };
    await insertLessonRows(client, this.#context, [{ id, stream: lesson.stream, createdAt: now, usageCount: 0, versions: [{ version, textVector: lesson.textVector }], images }]);
    return { lesson: rowToLesson(await this.#requireRow(client, id)), created: true };
  }

  async #editNow(client: pg.PoolClient, id: string, edit: LessonEdit): Promise<Lesson> {
    const { workspace } = this.#context;
    if (edit.text !== undefined) checkText(edit.text);
    if (edit.text !== undefined) checkStorableText(edit.text);
    if (edit.textVector !== undefined) checkVector(edit.textVector, workspace.dimensions, workspace.embeddingModel, 'lesson text vector');
    for (const image of edit.addImageVectors ?? []) checkVector(image.vector, workspace.imageDimensions, workspace.imageEmbeddingModel, `image vector of ${image.imageRef}`);
    const row = await this.#requireRow(client, id, true);
    checkImagesAllowed(row.stream, edit.addImageVectors?.length ?? 0);
    const current = await this.#version(client, id, row.current_version);
    if (edit.text !== undefined && edit.text !== current.text && edit.textVector === undefined) {
      throw mmevolveError('invalid-input', `edit of lesson ${id} changes its text but gives no textVector`, 'embed the new text and pass it as textVector');
    }
    const provenance = edit.provenance ?? { kind: 'edited', fromLessonIds: [id], fromVersions: [row.current_version] };
    const next: LessonVersion = {
      lessonId: id,
      version: row.current_version + 1,
      text: edit.text ?? current.text,
      subject: edit.subject ?? current.subject,
      concepts: [...(edit.concepts ?? current.concepts)],
      source: cleanSource(edit.source ?? current.source),
      createdAt: this.#context.now().toISOString(),
      provenance: cleanProvenance(provenance),
      embeddingModel: edit.textVector === undefined ? current.embeddingModel : workspace.embeddingModel,
    };
    await this.#refuseDuplicate(client, row, next.text);
    await appendCurrentVersion(client, this.#context, row.rowid, { version: next, textVector: edit.textVector ?? current.textVector });
    await addImageRows(client, this.#context, row.rowid, edit.addImageVectors ?? []);
    return rowToLesson(await this.#requireRow(client, id));
  }

  /** In a transaction; a concurrent writer that took the same text or id first surfaces as a conflict. */
  async #write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.#context.pool, work);
    } catch (error) {
      if (isUniqueViolation(error)) throw mmevolveError('conflict', 'another writer stored a lesson with this id or text at the same moment', 'retry: the lesson is there now', error);
      throw error;
    }
  }

  async #row(client: Queryable, id: string, forUpdate = false): Promise<LessonRow | undefined> {
    if (!storable(id)) return undefined;
    const { rows } = await client.query<LessonRow>(forUpdate ? this.#context.sql.lessonByIdForUpdate : this.#context.sql.lessonById, [this.tenant, id]);
    return rows[0];
  }

  async #requireRow(client: Queryable, id: string, forUpdate = false): Promise<LessonRow> {
    const row = await this.#row(client, id, forUpdate);
    if (row === undefined) throw notFound(id);
    return row;
  }

  async #version(client: Queryable, id: string, version: number): Promise<LessonVersion & { textVector: Float32Array }> {
    if (!storable(id)) throw notFound(id);
    const { rows } = await client.query<VersionRow<string>>(this.#context.sql.versionOfLesson, [this.tenant, id, version]);
    const row = rows[0];
    if (row === undefined) throw mmevolveError('not-found', `lesson ${JSON.stringify(id)} has no version ${version}`, 'list the versions with `mmevolve memory show ID`');
    return { ...rowToVersion(row), textVector: fromPgVector(row.text_vector) };
  }

  async #byNormalisedText(client: Queryable, stream: LessonStream, normalisedText: string): Promise<Lesson | undefined> {
    if (!storable(normalisedText)) return undefined;
    const { rows } = await client.query<LessonRow>(this.#context.sql.lessonByNormalisedText, [this.tenant, stream, normalisedText]);
    return rows[0] === undefined ? undefined : rowToLesson(rows[0]);
  }

  /** Two lessons of a stream never share a normalised text (the exact-duplicate rule); an edit may not create one. */
  async #refuseDuplicate(client: Queryable, row: LessonRow, text: string): Promise<void> {
    const other = await this.#byNormalisedText(client, row.stream as LessonStream, normaliseLessonText(text));
    if (other !== undefined && other.id !== row.id) throw mmevolveError('conflict', `lesson ${other.id} already has this text`, 'merge into that lesson, or delete one of them');
  }

  async #scored(hits: PgHit[], minScore: number | undefined): Promise<ScoredLesson[]> {
    const kept = minScore === undefined ? hits : hits.filter((hit) => hit.score >= minScore);
    if (kept.length === 0) return [];
    const { rows } = await this.#context.pool.query<LessonRow>(this.#context.sql.lessonsByRowids, [this.tenant, kept.map((hit) => hit.lessonRowid)]);
    const byRowid = new Map(rows.map((row) => [row.rowid, row]));
    return kept.flatMap((hit) => {
      const row = byRowid.get(hit.lessonRowid);
      return row === undefined ? [] : [{ lesson: rowToLesson(row), score: hit.score }];
    });
  }
}

/** Postgres text cannot hold NUL: such an id names no lesson, and such a text cannot be stored. */
function storable(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\u0000');
}

function checkStorableText(text: string): void {
  if (!storable(text)) throw mmevolveError('invalid-input', 'lesson text contains a NUL character, which Postgres cannot store', 'remove the NUL (\\u0000) characters from the text');
}
