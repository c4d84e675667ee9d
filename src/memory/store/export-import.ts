/**
 * JSONL export and import of one tenant's lessons: a header line (models and dimensions), then one line
 * per lesson with every version, its provenance and, optionally, the embeddings. Import validates every
 * record, keeps ids, times, usage counts and versions, and re-embeds when the workspace model differs.
 * Backend-neutral: each store reads and writes its rows through an ExportSource / ImportTarget.
 */
import { z } from 'zod';
import type {
  ExportOptions,
  ImportOptions,
  ImportReport,
  Lesson,
  LessonImageVector,
  LessonStream,
  LessonVersion,
  MemoryExportHeader,
  MemoryExportLesson,
  MemoryExportRecord,
} from '../../core/index.js';
import { mmevolveError, normaliseLessonText } from '../../core/index.js';
import { cleanProvenance, cleanSource, lessonProvenanceSchema, lessonSourceSchema, lessonStreamSchema } from './lesson-rows.js';
import type { LessonRows, WorkspaceInfo } from './lesson-data.js';
import { checkVector } from './vector-codec.js';

/** One stored lesson as an export needs it: every version oldest first, with its text vector, and the images. */
export interface StoredLesson {
  lesson: Lesson;
  versions: LessonVersion[];
  textVectors: Float32Array[];
  images: LessonImageVector[];
}

export interface ExportSource {
  tenant: string;
  workspace: WorkspaceInfo;
  lessonCount: number;
  /** In creation order. */
  lessons: AsyncIterable<StoredLesson> | Iterable<StoredLesson>;
}

/**
 * Where an import writes: lookups for conflicts, one query per batch each (a look-up per lesson cost more
 * than writing it), and an all-or-nothing insert of one batch.
 */
export interface ImportTarget {
  tenant: string;
  workspace: WorkspaceInfo;
  /** Of `ids`, those a lesson of the tenant already has. */
  existingIds(ids: readonly string[]): Promise<Set<string>>;
  /** Of the normalised `texts`, those a lesson of the tenant already has in `stream`. */
  existingTexts(stream: LessonStream, texts: readonly string[]): Promise<Set<string>>;
  insertAll(rows: readonly LessonRows[]): Promise<void>;
}

const IMPORT_BATCH_SIZE = 256;

export async function* exportRecords(source: ExportSource, options: ExportOptions): AsyncGenerator<MemoryExportRecord> {
  const { tenant, workspace } = source;
  const withEmbeddings = options.embeddings ?? true;
  const header: MemoryExportHeader = {
    type: 'header',
    format: 'mmevolve-memory',
    formatVersion: 1,
    tenant,
    embeddingModel: workspace.embeddingModel,
    dimensions: workspace.dimensions,
    imageEmbeddingModel: workspace.imageEmbeddingModel,
    imageDimensions: workspace.imageDimensions,
    lessonCount: source.lessonCount,
    includesEmbeddings: withEmbeddings,
  };
  yield header;
  for await (const stored of source.lessons) {
    const record: MemoryExportLesson = {
      type: 'lesson',
      lesson: stored.lesson,
      versions: stored.versions,
      images: stored.images.map((image) => (withEmbeddings ? { imageRef: image.imageRef, vector: Array.from(image.vector) } : { imageRef: image.imageRef })),
    };
    if (withEmbeddings) record.textVectors = stored.textVectors.map((vector) => Array.from(vector));
    yield record;
  }
}

const headerSchema = z.object({
  type: z.literal('header'),
  format: z.literal('mmevolve-memory'),
  formatVersion: z.literal(1),
  tenant: z.string(),
  embeddingModel: z.string(),
  dimensions: z.number().int().positive(),
  imageEmbeddingModel: z.string(),
  imageDimensions: z.number().int().positive(),
  lessonCount: z.number().int().nonnegative(),
  includesEmbeddings: z.boolean(),
});

/**
 * A vector as JSON carries it. Checked with a plain loop rather than z.array(z.number()): that took a good
 * part of a lesson's import time at 256 numbers a vector. Finiteness, size and non-zero are checked once
 * the vector is a Float32Array (checkVector), as for every other write.
 */
const numberListSchema = z.custom<number[]>(isNumberList, { message: 'expected an array of numbers' });

function isNumberList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'number') return false;
  return true;
}

const versionSchema = z.object({
  lessonId: z.string(),
  version: z.number().int().positive(),
  text: z.string(),
  subject: z.string(),
  concepts: z.array(z.string()),
  source: lessonSourceSchema,
  createdAt: z.string(),
  provenance: lessonProvenanceSchema,
  embeddingModel: z.string(),
});

const lessonRecordSchema = z.object({
  type: z.literal('lesson'),
  lesson: z.object({
    id: z.string().min(1),
    tenant: z.string(),
    stream: lessonStreamSchema,
    createdAt: z.string(),
    usageCount: z.number().int().nonnegative(),
    version: z.number().int().positive(),
  }),
  versions: z.array(versionSchema).min(1),
  textVectors: z.array(numberListSchema).optional(),
  images: z.array(z.object({ imageRef: z.string(), vector: numberListSchema.optional() })),
});

type LessonRecord = z.infer<typeof lessonRecordSchema>;

/** Validates an untrusted JSON value (one parsed JSONL line) as an export record. */
export function parseExportRecord(value: unknown, line: number): MemoryExportRecord {
  const parsed = z.discriminatedUnion('type', [headerSchema, lessonRecordSchema]).safeParse(value);
  if (!parsed.success) {
    throw mmevolveError('invalid-input', `memory export line ${line} is not a valid record: ${z.prettifyError(parsed.error)}`, 'export again with `mmevolve memory export`, or fix the line');
  }
  return value as MemoryExportRecord;
}

export async function importRecords(
  context: ImportTarget,
  records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>,
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, skipped: 0, reembedded: 0, warnings: [] };
  const seen: SeenInImport = { ids: new Set(), texts: new Set() };
  let header: z.infer<typeof headerSchema> | undefined;
  let batch: LessonRecord[] = [];
  let line = 0;
  for await (const record of records) {
    line += 1;
    if (header === undefined) {
      const parsed = headerSchema.safeParse(record);
      if (!parsed.success) {
        throw mmevolveError('invalid-input', 'a memory import must start with the export header line', 'use a file written by `mmevolve memory export`');
      }
      header = parsed.data;
      continue;
    }
    const parsed = lessonRecordSchema.safeParse(record);
    if (!parsed.success) {
      throw mmevolveError('invalid-input', `memory import record ${line} is invalid: ${z.prettifyError(parsed.error)}`, 'export again, or fix the record');
    }
    batch.push(parsed.data);
    if (batch.length >= IMPORT_BATCH_SIZE) {
      await importBatch(context, header, batch, options, report, seen);
      batch = [];
    }
  }
  if (header === undefined) {
    throw mmevolveError('invalid-input', 'the memory import is empty (no header line)', 'use a file written by `mmevolve memory export`');
  }
  if (batch.length > 0) await importBatch(context, header, batch, options, report, seen);
  return report;
}

async function importBatch(
  context: ImportTarget,
  header: z.infer<typeof headerSchema>,
  batch: LessonRecord[],
  options: ImportOptions,
  report: ImportReport,
  seen: SeenInImport,
): Promise<void> {
  const { workspace } = context;
  const pending: LessonRecord[] = [];
  const taken = await takenInStore(context, batch);
  for (const record of batch) if (keepOrSkip(context, record, options, report, seen, taken)) pending.push(record);
  const sameTextModel = header.embeddingModel === workspace.embeddingModel && header.dimensions === workspace.dimensions;
  const needsText = pending.filter((record) => !sameTextModel || record.textVectors === undefined || record.textVectors.length !== record.versions.length);
  const textVectors = new Map<LessonRecord, Float32Array[]>();
  if (needsText.length > 0) {
    if (options.reembedTexts === undefined) {
      throw mmevolveError(
        'embedding-mismatch',
        `the export was embedded with ${header.embeddingModel} (${header.dimensions} dims)${header.includesEmbeddings ? '' : ' and carries no embeddings'}; this workspace uses ${workspace.embeddingModel} (${workspace.dimensions} dims)`,
        're-embed on import (the CLI does so with the workspace embedder), or import into a workspace of the same model',
      );
    }
    const texts = needsText.flatMap((record) => record.versions.map((version) => version.text));
    const vectors = await options.reembedTexts(texts);
    checkCount(vectors.length, texts.length, 'reembedTexts');
    let cursor = 0;
    for (const record of needsText) {
      textVectors.set(record, vectors.slice(cursor, cursor + record.versions.length));
      cursor += record.versions.length;
    }
    report.reembedded += needsText.length;
  }
  const images = await importedImages(context, header, pending, options, report);
  const rows = pending.map((record): LessonRows => {
    const reembedded = textVectors.get(record);
    const versions = record.versions.map((version, index) => {
      const vector = reembedded === undefined ? new Float32Array(record.textVectors?.[index] ?? []) : (reembedded[index] ?? new Float32Array(0));
      checkVector(vector, workspace.dimensions, workspace.embeddingModel, `text vector of lesson ${record.lesson.id} version ${version.version}`);
      return { version: importedVersion(record.lesson.id, version, reembedded === undefined ? version.embeddingModel : workspace.embeddingModel), textVector: vector };
    });
    return { id: record.lesson.id, stream: record.lesson.stream, createdAt: record.lesson.createdAt, usageCount: record.lesson.usageCount, versions, images: images.get(record) ?? [] };
  });
  await context.insertAll(rows);
  report.imported += rows.length;
}

/** Ids and stream + normalised texts taken by earlier records of the same import (not yet in the database). */
interface SeenInImport {
  ids: Set<string>;
  texts: Set<string>;
}

/** Ids and stream + normalised texts of a batch that lessons already in the store have. */
interface TakenInStore {
  ids: Set<string>;
  texts: Set<string>;
  /** Each record's normalised current text and its stream + text key, computed once. */
  textOf: Map<LessonRecord, { text: string; key: string }>;
}

function currentTextKey(record: LessonRecord): { text: string; key: string } {
  const text = normaliseLessonText(record.versions.at(-1)?.text ?? '');
  return { text, key: `${record.lesson.stream}\u0000${text}` };
}

/** The batch's conflicts with the store, looked up in one query for the ids and one per stream for the texts. */
async function takenInStore(context: ImportTarget, batch: readonly LessonRecord[]): Promise<TakenInStore> {
  const textOf = new Map(batch.map((record) => [record, currentTextKey(record)]));
  const ids = await context.existingIds(batch.map((record) => record.lesson.id));
  const texts = new Set<string>();
  for (const stream of new Set(batch.map((record) => record.lesson.stream))) {
    const ofStream = batch.filter((record) => record.lesson.stream === stream).map((record) => textOf.get(record)?.text ?? '');
    for (const text of await context.existingTexts(stream, ofStream)) texts.add(`${stream}\u0000${text}`);
  }
  return { ids, texts, textOf };
}

/** Decides whether a record goes in: an id or a text already present, or earlier in the file, is a conflict. */
function keepOrSkip(context: ImportTarget, record: LessonRecord, options: ImportOptions, report: ImportReport, seen: SeenInImport, taken: TakenInStore): boolean {
  checkVersionOrder(record);
  const { text, key: textKey } = taken.textOf.get(record) ?? currentTextKey(record);
  const sameId = seen.ids.has(record.lesson.id) || taken.ids.has(record.lesson.id);
  const sameText = seen.texts.has(textKey) || taken.texts.has(textKey);
  if (!sameId && !sameText) {
    if (text === '') throw mmevolveError('invalid-input', `lesson ${record.lesson.id} has an empty text`, 'a lesson needs a non-empty text');
    seen.ids.add(record.lesson.id);
    seen.texts.add(textKey);
    return true;
  }
  if (options.onConflict === 'skip') {
    report.skipped += 1;
    return false;
  }
  throw mmevolveError(
    'conflict',
    `lesson ${record.lesson.id} ${!sameId ? 'has the text of an existing lesson' : 'already exists'} in tenant ${context.tenant}`,
    'import with onConflict "skip" (--skip-existing), or into an empty tenant',
  );
}

function checkCount(actual: number, expected: number, callback: string): void {
  if (actual !== expected) {
    throw mmevolveError('invalid-input', `${callback} returned ${actual} vectors for ${expected} inputs`, 'the re-embedding callback must return one vector per input, in order');
  }
}

function checkVersionOrder(record: LessonRecord): void {
  const numbers = record.versions.map((version) => version.version);
  const increasing = numbers.every((value, index) => index === 0 || value > (numbers[index - 1] ?? 0));
  if (!increasing || numbers.at(-1) !== record.lesson.version) {
    throw mmevolveError('invalid-input', `lesson ${record.lesson.id}: versions must increase and end at the lesson's version ${record.lesson.version}`, 'export again, or fix the record');
  }
}

function importedVersion(lessonId: string, version: z.infer<typeof versionSchema>, embeddingModel: string): LessonVersion {
  return {
    lessonId,
    version: version.version,
    text: version.text,
    subject: version.subject,
    concepts: [...version.concepts],
    source: cleanSource(version.source),
    createdAt: version.createdAt,
    provenance: cleanProvenance(version.provenance),
    embeddingModel,
  };
}

async function importedImages(
  context: ImportTarget,
  header: z.infer<typeof headerSchema>,
  records: LessonRecord[],
  options: ImportOptions,
  report: ImportReport,
): Promise<Map<LessonRecord, LessonImageVector[]>> {
  const { workspace } = context;
  const sameModel = header.imageEmbeddingModel === workspace.imageEmbeddingModel && header.imageDimensions === workspace.imageDimensions;
  const result = new Map<LessonRecord, LessonImageVector[]>();
  const missing: { record: LessonRecord; imageRef: string }[] = [];
  for (const record of records) {
    const kept: LessonImageVector[] = [];
    for (const image of record.images) {
      if (sameModel && image.vector !== undefined) kept.push({ imageRef: image.imageRef, vector: new Float32Array(image.vector) });
      else missing.push({ record, imageRef: image.imageRef });
    }
    result.set(record, kept);
  }
  if (missing.length === 0) return result;
  if (options.reembedImages === undefined) {
    report.warnings.push({
      code: 'image-vectors-dropped',
      message: `${missing.length} source image vector(s) were missing or from another image model and were not imported; image retrieval will not find those lessons until re-embedded`,
    });
    return result;
  }
  const vectors = await options.reembedImages(missing.map((entry) => entry.imageRef));
  checkCount(vectors.length, missing.length, 'reembedImages');
  missing.forEach((entry, index) => {
    const vector = vectors[index] ?? new Float32Array(0);
    checkVector(vector, workspace.imageDimensions, workspace.imageEmbeddingModel, `image vector of ${entry.imageRef}`);
    result.get(entry.record)?.push({ imageRef: entry.imageRef, vector });
  });
  return result;
}
