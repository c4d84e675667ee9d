/** One tenant's view of the SQLite lesson store: every statement is bound to `context.tenant`. */
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
} from '../../core/index.js';
import { mmevolveError, normaliseLessonText } from '../../core/index.js';
import { exportTenant, importIntoTenant } from './sqlite-transfer.js';
import { cleanProvenance, cleanSource, rowToLesson, rowToVersion } from './lesson-rows.js';
import type { LessonRow, VersionRow } from './lesson-rows.js';
import { MAX_K, checkImagesAllowed, checkStream, checkText, kneighbours, notFound } from './input-checks.js';
import { addImageRows, appendCurrentVersion, clearTenant, deleteLessonRows, forgetDeletedFrames, insertLessonRows } from './lesson-writes.js';
import type { TenantContext } from './lesson-writes.js';
import { nearestTexts } from './text-search.js';
import { blobToVector, checkVector, cosineFromUnitDistance, isZeroVector, unitVector, vectorToBlob } from './vector-codec.js';

const DEFAULT_PAGE_SIZE = 100;

export class SqliteTenantMemory implements TenantMemory {
  readonly tenant: string;
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    this.#context = context;
    this.tenant = context.tenant;
  }

  async insert(lesson: NewLesson): Promise<InsertResult> {
    return this.#context.db.transaction((): InsertResult => this.#insertNow(lesson))();
  }

  async edit(id: string, edit: LessonEdit): Promise<Lesson> {
    return this.#context.db.transaction((): Lesson => this.#editNow(id, edit))();
  }

  async applyWrites(writes: readonly LessonWrite[]): Promise<LessonWriteResult[]> {
    // better-sqlite3 rolls the whole transaction back when the function throws: all writes or none.
    return this.#context.db.transaction((): LessonWriteResult[] =>
      writes.map((write): LessonWriteResult =>
        write.kind === 'insert' ? { kind: 'insert', inserted: this.#insertNow(write.lesson) } : { kind: 'edit', lesson: this.#editNow(write.id, write.edit) },
      ),
    )();
  }

  /** Call inside a transaction. */
  #insertNow(lesson: NewLesson): InsertResult {
    const { workspace, statements } = this.#context;
    checkText(lesson.text);
    checkStream(lesson.stream);
    checkImagesAllowed(lesson.stream, lesson.imageVectors?.length ?? 0);
    checkVector(lesson.textVector, workspace.dimensions, workspace.embeddingModel, 'lesson text vector');
    const images = lesson.imageVectors ?? [];
    for (const image of images) {
      checkVector(image.vector, workspace.imageDimensions, workspace.imageEmbeddingModel, `image vector of ${image.imageRef}`);
    }
    const existing = this.#byNormalisedText(lesson.stream, normaliseLessonText(lesson.text));
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
    insertLessonRows(this.#context, {
      id,
      stream: lesson.stream,
      createdAt: now,
      usageCount: 0,
      versions: [{ version, textVector: lesson.textVector }],
      images,
    });
    const created = statements.lessonById.get(this.tenant, id) as LessonRow;
    return { lesson: rowToLesson(created), created: true };
  }

  async get(id: string): Promise<Lesson | undefined> {
    const row = this.#row(id);
    return row === undefined ? undefined : rowToLesson(row);
  }

  async list(options: ListOptions = {}): Promise<LessonPage> {
    const filter = { tenant: this.tenant, stream: options.stream ?? null, subject: options.subject ?? null };
    const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_PAGE_SIZE));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const rows = this.#context.statements.listLessons.all({ ...filter, limit, offset }) as LessonRow[];
    const { count } = this.#context.statements.countLessons.get(filter) as { count: number };
    return { lessons: rows.map(rowToLesson), total: count };
  }

  async searchByTextVector(stream: LessonStream, vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]> {
    const { workspace } = this.#context;
    checkStream(stream);
    const limit = kneighbours(k);
    if (limit === 0 || isZeroVector(vector)) return [];
    checkVector(vector, workspace.dimensions, workspace.embeddingModel, 'query vector');
    const hits = nearestTexts(this.#context, stream, vector, limit);
    return this.#scored(hits.map((hit) => ({ lessonRowid: hit.rowid, score: cosineFromUnitDistance(hit.distance) })), minScore);
  }

  async searchByImageVector(vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]> {
    const { workspace, statements } = this.#context;
    const wanted = kneighbours(k);
    if (wanted === 0 || isZeroVector(vector)) return [];
    checkVector(vector, workspace.imageDimensions, workspace.imageEmbeddingModel, 'query image vector');
    const query = vectorToBlob(unitVector(vector));
    // A lesson may own several images: widen the KNN until k distinct lessons are found or the index is exhausted.
    for (let imageK = Math.min(MAX_K, wanted * 4); ; imageK = Math.min(MAX_K, imageK * 4)) {
      const hits = statements.knnImages.all(query, BigInt(imageK), this.tenant) as { rowid: number; distance: number }[];
      const owners = new Map<number, number>();
      const ownerRows = statements.imageOwners.all(JSON.stringify(hits.map((hit) => hit.rowid)), this.tenant) as { image_rowid: number; lesson_rowid: number }[];
      for (const owner of ownerRows) owners.set(owner.image_rowid, owner.lesson_rowid);
      const best = new Map<number, number>();
      for (const hit of hits) {
        const lessonRowid = owners.get(hit.rowid);
        if (lessonRowid === undefined || best.has(lessonRowid)) continue;
        best.set(lessonRowid, cosineFromUnitDistance(hit.distance));
      }
      if (best.size >= wanted || hits.length < imageK || imageK === MAX_K) {
        const ranked = [...best].map(([lessonRowid, score]) => ({ lessonRowid, score })).slice(0, wanted);
        return this.#scored(ranked, minScore);
      }
    }
  }

  async textVectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const wanted = ids.filter((id) => typeof id === 'string');
    const rows = this.#context.statements.currentTextVectors.all(this.tenant, JSON.stringify(wanted)) as { id: string; text_vector: Buffer }[];
    return new Map(rows.map((row) => [row.id, blobToVector(row.text_vector)]));
  }

  async findExact(stream: LessonStream, normalisedText: string): Promise<Lesson | undefined> {
    return this.#byNormalisedText(stream, normalisedText);
  }

  async versions(id: string): Promise<LessonVersion[]> {
    const rows = this.#context.statements.versionsOfLesson.all(this.tenant, id) as VersionRow[];
    if (rows.length === 0) throw notFound(id);
    return rows.map(rowToVersion);
  }

  async restore(id: string, version: number): Promise<Lesson> {
    return this.#context.db.transaction((): Lesson => {
      const row = this.#requireRow(id);
      const old = this.#version(id, version);
      const provenance: LessonProvenance = { kind: 'restored', fromLessonIds: [id], fromVersions: [version] };
      this.#refuseDuplicate(row, old.text);
      appendCurrentVersion(this.#context, row.rowid, row.stream as LessonStream, {
        version: { ...old, version: row.current_version + 1, createdAt: this.#context.now().toISOString(), provenance },
        textVector: old.textVector,
      });
      return rowToLesson(this.#requireRow(id));
    })();
  }

  async recordUsage(ids: readonly string[]): Promise<number> {
    const { db, statements } = this.#context;
    return db.transaction((): number => {
      let updated = 0;
      for (const id of ids) updated += statements.incrementUsage.run(this.tenant, id).changes;
      return updated;
    })();
  }

  async delete(id: string): Promise<boolean> {
    const deleted = this.#context.db.transaction((): boolean => {
      const row = this.#row(id);
      if (row === undefined) return false;
      deleteLessonRows(this.#context, row.rowid);
      return true;
    })();
    if (deleted) forgetDeletedFrames(this.#context.db);
    return deleted;
  }

  async clear(): Promise<number> {
    return clearTenant(this.#context);
  }

  export(options: ExportOptions = {}): AsyncIterable<MemoryExportRecord> {
    return exportTenant(this.#context, options);
  }

  async import(records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>, options: ImportOptions = {}): Promise<ImportReport> {
    return importIntoTenant(this.#context, records, options);
  }

  async stats(): Promise<TenantStats> {
    const { statements } = this.#context;
    const counts = statements.tenantCounts.get({ tenant: this.tenant }) as { lessons: number; visual: number; versions: number; images: number };
    const text = statements.textVectorsOfTenant.get(this.tenant) as { count: number };
    const image = statements.imageVectorsOfTenant.get(this.tenant) as { count: number };
    return {
      tenant: this.tenant,
      lessons: counts.lessons,
      byStream: { visual: counts.visual, logic: counts.lessons - counts.visual },
      versions: counts.versions,
      textVectors: text.count,
      imageVectors: image.count,
    };
  }

  /** Call inside a transaction. */
  #editNow(id: string, edit: LessonEdit): Lesson {
    const { workspace } = this.#context;
    if (edit.text !== undefined) checkText(edit.text);
    if (edit.textVector !== undefined) checkVector(edit.textVector, workspace.dimensions, workspace.embeddingModel, 'lesson text vector');
    for (const image of edit.addImageVectors ?? []) {
      checkVector(image.vector, workspace.imageDimensions, workspace.imageEmbeddingModel, `image vector of ${image.imageRef}`);
    }
    const row = this.#requireRow(id);
    checkImagesAllowed(row.stream, edit.addImageVectors?.length ?? 0);
    const current = this.#version(id, row.current_version);
    const textChanged = edit.text !== undefined && edit.text !== current.text;
    if (textChanged && edit.textVector === undefined) {
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
    this.#refuseDuplicate(row, next.text);
    appendCurrentVersion(this.#context, row.rowid, row.stream as LessonStream, {
      version: next,
      textVector: edit.textVector ?? current.textVector,
    });
    addImageRows(this.#context, row.rowid, edit.addImageVectors ?? []);
    return rowToLesson(this.#requireRow(id));
  }

  #row(id: string): LessonRow | undefined {
    if (typeof id !== 'string') return undefined;
    return this.#context.statements.lessonById.get(this.tenant, id) as LessonRow | undefined;
  }

  #requireRow(id: string): LessonRow {
    const row = this.#row(id);
    if (row === undefined) throw notFound(id);
    return row;
  }

  #version(id: string, version: number): LessonVersion & { textVector: Float32Array } {
    const row = this.#context.statements.versionOfLesson.get(this.tenant, id, version) as VersionRow | undefined;
    if (row === undefined) {
      throw mmevolveError('not-found', `lesson ${JSON.stringify(id)} has no version ${version}`, 'list the versions with `mmevolve memory show ID`');
    }
    return { ...rowToVersion(row), textVector: blobToVector(row.text_vector) };
  }

  #byNormalisedText(stream: LessonStream, normalisedText: string): Lesson | undefined {
    const row = this.#context.statements.lessonByNormalisedText.get(this.tenant, stream, normalisedText) as LessonRow | undefined;
    return row === undefined ? undefined : rowToLesson(row);
  }

  /** Two lessons of a stream never share a normalised text (the exact-duplicate rule); an edit may not create one. */
  #refuseDuplicate(row: LessonRow, text: string): void {
    const other = this.#byNormalisedText(row.stream as LessonStream, normaliseLessonText(text));
    if (other !== undefined && other.id !== row.id) {
      throw mmevolveError('conflict', `lesson ${other.id} already has this text`, 'merge into that lesson, or delete one of them');
    }
  }

  #scored(hits: { lessonRowid: number; score: number }[], minScore: number | undefined): ScoredLesson[] {
    const kept = minScore === undefined ? hits : hits.filter((hit) => hit.score >= minScore);
    if (kept.length === 0) return [];
    const rows = this.#context.statements.lessonsByRowids.all(JSON.stringify(kept.map((hit) => hit.lessonRowid)), this.tenant) as LessonRow[];
    const byRowid = new Map(rows.map((row) => [row.rowid, row]));
    const result: ScoredLesson[] = [];
    for (const hit of kept) {
      const row = byRowid.get(hit.lessonRowid);
      if (row !== undefined) result.push({ lesson: rowToLesson(row), score: hit.score });
    }
    return result;
  }
}
