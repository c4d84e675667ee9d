/** The SQLite store's side of export and import (export-import.ts): its rows read and written in its transactions. */
import type { ExportOptions, ImportOptions, ImportReport, LessonStream, MemoryExportRecord } from '../../core/index.js';
import { exportRecords, importRecords } from './export-import.js';
import type { StoredLesson } from './export-import.js';
import { rowToLesson, rowToVersion } from './lesson-rows.js';
import type { LessonRow, VersionRow } from './lesson-rows.js';
import { insertLessonRows } from './lesson-writes.js';
import type { AddedTextVector, TenantContext } from './lesson-writes.js';
import { blobToVector } from './vector-codec.js';

export function exportTenant(context: TenantContext, options: ExportOptions): AsyncIterable<MemoryExportRecord> {
  const { statements, tenant } = context;
  const rows = statements.allLessonsOfTenant.all(tenant) as LessonRow[];
  function* lessons(): Generator<StoredLesson> {
    for (const row of rows) {
      const versionRows = statements.versionsOfLesson.all(tenant, row.id) as VersionRow[];
      const images = statements.imagesOfLesson.all(row.rowid) as { rowid: number; image_ref: string; vector: Buffer }[];
      yield {
        lesson: rowToLesson(row),
        versions: versionRows.map(rowToVersion),
        textVectors: versionRows.map((version) => blobToVector(version.text_vector)),
        images: images.map((image) => ({ imageRef: image.image_ref, vector: blobToVector(image.vector) })),
      };
    }
  }
  return exportRecords({ tenant, workspace: context.workspace, lessonCount: rows.length, lessons: lessons() }, options);
}

/**
 * WAL pages an import may accumulate before SQLite copies them into the database file. The default (1,000
 * pages) checkpoints every few batches and copies the same index and vector-chunk pages again each time;
 * about 30 µs of a lesson's import went there. The import checkpoints once at its end instead.
 */
const IMPORT_WAL_CHECKPOINT_PAGES = 16_384;

export async function importIntoTenant(
  context: TenantContext,
  records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>,
  options: ImportOptions,
): Promise<ImportReport> {
  const { db } = context;
  const previous = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${IMPORT_WAL_CHECKPOINT_PAGES}`);
  try {
    return await importBatches(context, records, options);
  } finally {
    db.pragma(`wal_autocheckpoint = ${previous}`);
    db.pragma('wal_checkpoint(PASSIVE)');
  }
}

function importBatches(
  context: TenantContext,
  records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>,
  options: ImportOptions,
): Promise<ImportReport> {
  const { statements, tenant } = context;
  return importRecords(
    {
      tenant,
      workspace: context.workspace,
      existingIds: async (ids) => new Set((statements.existingIds.all(tenant, JSON.stringify(ids)) as { id: string }[]).map((row) => row.id)),
      existingTexts: async (stream: LessonStream, texts) =>
        new Set((statements.existingTexts.all(tenant, stream, JSON.stringify(texts)) as { text: string }[]).map((row) => row.text)),
      insertAll: async (rows) => {
        // One transaction per batch, and one generation bump per partition and batch (not one per lesson).
        context.db.transaction(() => {
          const added = new Map<LessonStream, AddedTextVector[]>();
          for (const row of rows) {
            let ofStream = added.get(row.stream);
            if (ofStream === undefined) added.set(row.stream, (ofStream = []));
            insertLessonRows(context, row, ofStream);
          }
          for (const [stream, vectors] of added) context.textIndex.noteBulkAdded(tenant, stream, vectors);
        })();
      },
    },
    records,
    options,
  );
}
