/**
 * The row-level writes shared by insert, edit, import and delete. Callers wrap them in a transaction;
 * each keeps the lesson tables and the vector tables in step (a lesson row never outlives its vectors).
 */
import type Database from 'better-sqlite3';
import type { LessonImageVector, LessonStream } from '../../core/index.js';
import type { LessonRows, VersionWithVector, WorkspaceInfo } from './lesson-data.js';
import { normaliseLessonText } from '../../core/index.js';
import { streamCode } from './lesson-rows.js';
import type { Statements } from './statements.js';
import type { TextSearchOptions } from './text-search.js';
import type { HnswTextIndex } from './hnsw-text-index.js';
import { unitVector, vectorToBlob } from './vector-codec.js';

export type { LessonRows, VersionWithVector, WorkspaceInfo } from './lesson-data.js';

/** What a TenantMemory needs from its store; the tenant is fixed here and nowhere else. */
export interface TenantContext {
  db: Database.Database;
  statements: Statements;
  tenant: string;
  workspace: WorkspaceInfo;
  textSearch: TextSearchOptions;
  textIndex: HnswTextIndex;
  now: () => Date;
  newId: () => string;
}


/** A text vector written by a bulk insert, for the partition's graph (textIndex.noteBulkAdded). */
export interface AddedTextVector {
  rowid: number;
  unit: Float32Array;
}

/**
 * Inserts a lesson with all its versions, its current text vector and its image vectors; returns its rowid.
 * Given `deferred` (bulk import), the text vector is pushed there instead of reaching the partition's HNSW
 * graph: the caller must then call textIndex.noteBulkAdded once per partition for the batch, in the same
 * transaction (one generation bump per batch instead of one per lesson).
 */
export function insertLessonRows(context: TenantContext, rows: LessonRows, deferred?: AddedTextVector[]): number {
  const current = rows.versions.at(-1);
  if (current === undefined) throw new Error('insertLessonRows needs at least one version');
  const info = context.statements.insertLesson.run({
    tenant: context.tenant,
    id: rows.id,
    stream: rows.stream,
    normalisedText: normaliseLessonText(current.version.text),
    version: current.version.version,
    createdAt: rows.createdAt,
    usageCount: rows.usageCount,
  });
  const lessonRowid = Number(info.lastInsertRowid);
  for (const entry of rows.versions) insertVersionRow(context, lessonRowid, entry);
  if (deferred === undefined) putTextVector(context, lessonRowid, rows.stream, current.textVector, 1);
  else {
    const unit = unitVector(current.textVector);
    insertTextVectorRow(context, lessonRowid, rows.stream, unit);
    deferred.push({ rowid: lessonRowid, unit });
  }
  addImageRows(context, lessonRowid, rows.images);
  return lessonRowid;
}

export function insertVersionRow(context: TenantContext, lessonRowid: number, entry: VersionWithVector): void {
  const version = entry.version;
  context.statements.insertVersion.run({
    lessonRowid,
    version: version.version,
    text: version.text,
    subject: version.subject,
    conceptsJson: JSON.stringify(version.concepts),
    sourceJson: JSON.stringify(version.source),
    provenanceJson: JSON.stringify(version.provenance),
    embeddingModel: version.embeddingModel,
    createdAt: version.createdAt,
    textVector: vectorToBlob(entry.textVector),
  });
}

/** Makes `entry` the current version: new version row, current pointer, and the text vector swapped. */
export function appendCurrentVersion(context: TenantContext, lessonRowid: number, stream: LessonStream, entry: VersionWithVector): void {
  insertVersionRow(context, lessonRowid, entry);
  context.statements.setCurrentVersion.run(entry.version.version, normaliseLessonText(entry.version.text), lessonRowid);
  context.statements.deleteTextVector.run(BigInt(lessonRowid));
  putTextVector(context, lessonRowid, stream, entry.textVector, 0);
}

/** The lesson's searchable text vector: its unit copy in the vec0 index, and in the partition's graph. */
function putTextVector(context: TenantContext, lessonRowid: number, stream: LessonStream, vector: Float32Array, added: 0 | 1): void {
  const unit = unitVector(vector);
  insertTextVectorRow(context, lessonRowid, stream, unit);
  context.textIndex.noteVector(context.tenant, stream, lessonRowid, unit, added);
}

function insertTextVectorRow(context: TenantContext, lessonRowid: number, stream: LessonStream, unit: Float32Array): void {
  context.statements.insertTextVector.run(BigInt(lessonRowid), context.tenant, streamCode(stream), vectorToBlob(unit));
}

export function addImageRows(context: TenantContext, lessonRowid: number, images: readonly LessonImageVector[]): void {
  for (const image of images) {
    const imageRowid = context.statements.insertImage.run(lessonRowid, image.imageRef, vectorToBlob(image.vector)).lastInsertRowid;
    context.statements.insertImageVector.run(BigInt(imageRowid), context.tenant, vectorToBlob(unitVector(image.vector)));
  }
}

/** Deletes the lesson's vectors first (virtual tables have no cascade), then its rows (versions and images cascade). */
export function deleteLessonRows(context: TenantContext, lessonRowid: number): void {
  const images = context.statements.imagesOfLesson.all(lessonRowid) as { rowid: number }[];
  for (const image of images) context.statements.deleteImageVector.run(BigInt(image.rowid));
  context.statements.deleteTextVector.run(BigInt(lessonRowid));
  const { stream } = context.statements.lessonStream.get(lessonRowid) as { stream: LessonStream };
  context.textIndex.noteDelete(context.tenant, stream, lessonRowid);
  context.statements.deleteLesson.run(lessonRowid);
}

/** Removes every lesson of the context's tenant with its versions and vectors; returns how many lessons. */
export function clearTenant(context: TenantContext): number {
  const cleared = context.db.transaction((): number => {
    const lessons = context.statements.lessonRowidsOfTenant.all(context.tenant) as { rowid: number }[];
    for (const lesson of lessons) deleteLessonRows(context, lesson.rowid);
    return lessons.length;
  })();
  if (cleared > 0) forgetDeletedFrames(context.db);
  return cleared;
}

/**
 * secure_delete zeroes the freed pages in the database file, but the WAL still holds the frames that
 * wrote the deleted lessons: checkpoint them into the file and truncate the WAL, so deleted text is gone
 * from disk when the delete returns (a reader holding an old snapshot can delay this to the next delete).
 * Call after the deleting transaction committed.
 */
export function forgetDeletedFrames(db: TenantContext['db']): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}
