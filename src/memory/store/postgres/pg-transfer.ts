/** The Postgres store's side of export and import (export-import.ts): pages of rows out, batches in one transaction. */
import type { ExportOptions, ImportOptions, ImportReport, MemoryExportRecord } from '../../../core/index.js';
import { exportRecords, importRecords } from '../export-import.js';
import type { StoredLesson } from '../export-import.js';
import { rowToLesson, rowToVersion } from '../lesson-rows.js';
import type { LessonRow, VersionRow } from '../lesson-rows.js';
import { inTransaction } from './pg-connection.js';
import { insertLessonRows } from './pg-lesson-writes.js';
import type { PgTenantContext } from './pg-lesson-writes.js';
import { fromPgVector } from './pg-vector.js';

/** Lessons read per round trip while exporting. */
const EXPORT_PAGE = 200;

/**
 * The tenant's lessons as listed when the export starts, read in pages by row id. No transaction is held
 * across the caller's iteration (it may write to the store meanwhile, e.g. import into another tenant);
 * a lesson deleted during the export is left out.
 */
export async function* exportPgTenant(context: PgTenantContext, options: ExportOptions): AsyncGenerator<MemoryExportRecord> {
  const { pool, sql, tenant } = context;
  const { rows: listed } = await pool.query<{ rowid: number }>(sql.rowidsOfTenant, [tenant]);
  async function* lessons(): AsyncGenerator<StoredLesson> {
    for (let start = 0; start < listed.length; start += EXPORT_PAGE) {
      const rowids = listed.slice(start, start + EXPORT_PAGE).map((row) => row.rowid);
      const { rows } = await pool.query<LessonRow>(sql.lessonsByRowids, [tenant, rowids]);
      const versions = await pool.query<VersionRow<string> & { lesson_rowid?: number }>(sql.versionsOfLessons, [tenant, rowids]);
      const images = await pool.query<{ lesson_rowid: number; image_ref: string; vector: string }>(sql.imagesOfLessons, [tenant, rowids]);
      const byRowid = new Map(rows.map((row) => [row.rowid, row]));
      const versionsById = groupBy(versions.rows, (row) => row.lesson_id);
      const imagesByRowid = groupBy(images.rows, (row) => row.lesson_rowid);
      for (const rowid of rowids) {
        const row = byRowid.get(rowid);
        if (row === undefined) continue;
        const own = versionsById.get(row.id) ?? [];
        yield {
          lesson: rowToLesson(row),
          versions: own.map(rowToVersion),
          textVectors: own.map((version) => fromPgVector(version.text_vector)),
          images: (imagesByRowid.get(row.rowid) ?? []).map((image) => ({ imageRef: image.image_ref, vector: fromPgVector(image.vector) })),
        };
      }
    }
  }
  yield* exportRecords({ tenant, workspace: context.workspace, lessonCount: listed.length, lessons: lessons() }, options);
}

export function importIntoPgTenant(context: PgTenantContext, records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>, options: ImportOptions): Promise<ImportReport> {
  const { pool, sql, tenant } = context;
  return importRecords(
    {
      tenant,
      workspace: context.workspace,
      existingIds: async (ids) => new Set((await pool.query<{ id: string }>(sql.existingIds, [tenant, ids])).rows.map((row) => row.id)),
      existingTexts: async (stream, texts) => new Set((await pool.query<{ text: string }>(sql.existingTexts, [tenant, stream, texts])).rows.map((row) => row.text)),
      insertAll: async (rows) => {
        await inTransaction(pool, (client) => insertLessonRows(client, context, rows));
      },
    },
    records,
    options,
  );
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
