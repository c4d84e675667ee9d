/**
 * Row-level writes of the Postgres store, shared by insert, edit, import and delete. Callers run them on
 * one client inside a transaction; each keeps lessons, versions, images and partition sizes in step.
 * Inserts are batched (one statement per table for any number of lessons): an import of 256 lessons
 * costs four round trips, not a thousand.
 */
import type pg from 'pg';
import type { LessonImageVector, LessonStream } from '../../../core/index.js';
import { normaliseLessonText } from '../../../core/index.js';
import type { LessonRows, VersionWithVector, WorkspaceInfo } from '../lesson-data.js';
import type { TextSearchOptions } from '../text-search.js';
import type { Queryable } from './pg-connection.js';
import type { PgStatements } from './pg-statements.js';
import { toPgVector } from './pg-vector.js';

/** What a Postgres TenantMemory needs from its store; the tenant is fixed here and nowhere else. */
export interface PgTenantContext {
  pool: pg.Pool;
  sql: PgStatements;
  tenant: string;
  workspace: WorkspaceInfo;
  textSearch: TextSearchOptions;
  now: () => Date;
  newId: () => string;
}

/** Inserts lessons with all their versions, current text vectors and images; returns their rowids by id. */
export async function insertLessonRows(client: Queryable, context: PgTenantContext, lessons: readonly LessonRows[]): Promise<Map<string, number>> {
  const { sql, tenant } = context;
  const current = lessons.map((rows) => {
    const last = rows.versions.at(-1);
    if (last === undefined) throw new Error('insertLessonRows needs at least one version per lesson');
    return last;
  });
  const inserted = await client.query<{ rowid: number; id: string }>(sql.insertLessons, [
    tenant,
    lessons.map((rows) => rows.id),
    lessons.map((rows) => rows.stream),
    current.map((entry) => normaliseLessonText(entry.version.text)),
    current.map((entry) => entry.version.version),
    lessons.map((rows) => rows.createdAt),
    lessons.map((rows) => rows.usageCount),
    current.map((entry) => toPgVector(entry.textVector)),
  ]);
  const rowids = new Map(inserted.rows.map((row) => [row.id, row.rowid]));
  const rowidOf = (id: string): number => rowids.get(id) ?? Number.NaN;
  await insertVersionRows(client, context, lessons.flatMap((rows) => rows.versions.map((entry) => ({ lessonRowid: rowidOf(rows.id), entry }))));
  await insertImageRows(client, context, lessons.flatMap((rows) => rows.images.map((image) => ({ lessonRowid: rowidOf(rows.id), image }))));
  const perPart = new Map<string, number>();
  for (const rows of lessons) {
    perPart.set(rows.stream, (perPart.get(rows.stream) ?? 0) + 1);
    if (rows.images.length > 0) perPart.set('image', (perPart.get('image') ?? 0) + rows.images.length);
  }
  for (const [part, change] of perPart) await client.query(sql.addToPartition, [tenant, part, change]);
  return rowids;
}

async function insertVersionRows(client: Queryable, context: PgTenantContext, entries: readonly { lessonRowid: number; entry: VersionWithVector }[]): Promise<void> {
  if (entries.length === 0) return;
  const versions = entries.map(({ entry }) => entry.version);
  await client.query(context.sql.insertVersions, [
    entries.map(({ lessonRowid }) => lessonRowid),
    versions.map((version) => version.version),
    versions.map((version) => version.text),
    versions.map((version) => version.subject),
    versions.map((version) => JSON.stringify(version.concepts)),
    versions.map((version) => JSON.stringify(version.source)),
    versions.map((version) => JSON.stringify(version.provenance)),
    versions.map((version) => version.embeddingModel),
    versions.map((version) => version.createdAt),
    entries.map(({ entry }) => toPgVector(entry.textVector)),
  ]);
}

async function insertImageRows(client: Queryable, context: PgTenantContext, images: readonly { lessonRowid: number; image: LessonImageVector }[]): Promise<void> {
  if (images.length === 0) return;
  await client.query(context.sql.insertImages, [
    context.tenant,
    images.map(({ lessonRowid }) => lessonRowid),
    images.map(({ image }) => image.imageRef),
    images.map(({ image }) => toPgVector(image.vector)),
  ]);
}

/** Makes `entry` the current version: a new version row, and the lesson's pointer, text key and vector moved to it. */
export async function appendCurrentVersion(client: Queryable, context: PgTenantContext, lessonRowid: number, entry: VersionWithVector): Promise<void> {
  await insertVersionRows(client, context, [{ lessonRowid, entry }]);
  await client.query(context.sql.setCurrentVersion, [lessonRowid, entry.version.version, normaliseLessonText(entry.version.text), toPgVector(entry.textVector)]);
}

export async function addImageRows(client: Queryable, context: PgTenantContext, lessonRowid: number, images: readonly LessonImageVector[]): Promise<void> {
  if (images.length === 0) return;
  await insertImageRows(client, context, images.map((image) => ({ lessonRowid, image })));
  await client.query(context.sql.addToPartition, [context.tenant, 'image', images.length]);
}

/** Deletes the lesson row; its versions and images (vectors included) go with it by cascade. */
export async function deleteLessonRow(client: Queryable, context: PgTenantContext, lessonRowid: number): Promise<boolean> {
  const { rows } = await client.query<{ stream: LessonStream; images: number }>(context.sql.deleteLesson, [context.tenant, lessonRowid]);
  const deleted = rows[0];
  if (deleted === undefined) return false;
  await client.query(context.sql.addToPartition, [context.tenant, deleted.stream, -1]);
  if (deleted.images > 0) await client.query(context.sql.addToPartition, [context.tenant, 'image', -deleted.images]);
  return true;
}

/** Removes every lesson of the context's tenant with its versions, images and partition sizes; returns how many lessons. */
export async function clearTenantRows(client: Queryable, context: PgTenantContext): Promise<number> {
  const { rows } = await client.query<{ count: number }>(context.sql.clearTenant, [context.tenant]);
  await client.query(context.sql.clearPartitions, [context.tenant]);
  return rows[0]?.count ?? 0;
}
