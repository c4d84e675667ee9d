/** Rows of the lesson tables and their mapping to the contract's Lesson / LessonVersion. */
import { z } from 'zod';
import type { Lesson, LessonProvenance, LessonSource, LessonStream, LessonVersion } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';

/** The content columns every lesson version carries. */
interface VersionContentColumns {
  text: string;
  subject: string;
  concepts_json: string;
  source_json: string;
  provenance_json: string;
  embedding_model: string;
}

/** A lesson joined with its current version. */
export interface LessonRow extends VersionContentColumns {
  rowid: number;
  tenant: string;
  id: string;
  stream: string;
  current_version: number;
  created_at: string;
  usage_count: number;
  updated_at: string;
}

/** text_vector is a blob in SQLite, pgvector's text form in Postgres. */
export interface VersionRow<Vector = Buffer> extends VersionContentColumns {
  lesson_id: string;
  version: number;
  created_at: string;
  text_vector: Vector;
}

export const lessonStreamSchema = z.enum(['visual', 'logic']);

export const lessonSourceSchema = z.object({
  problemId: z.string(),
  question: z.string(),
  imageRefs: z.array(z.string()),
});

export const lessonProvenanceSchema = z.object({
  kind: z.enum(['written', 'merged', 'edited', 'imported', 'restored']),
  fromLessonIds: z.array(z.string()),
  fromVersions: z.array(z.number().int()),
  note: z.string().optional(),
  signal: z.enum(['gold', 'feedback', 'label-free']).optional(),
});

const conceptsSchema = z.array(z.string());

/** Copies only the defined optional field, as exactOptionalPropertyTypes requires. */
export function cleanProvenance(provenance: z.infer<typeof lessonProvenanceSchema>): LessonProvenance {
  const clean: LessonProvenance = {
    kind: provenance.kind,
    fromLessonIds: [...provenance.fromLessonIds],
    fromVersions: [...provenance.fromVersions],
  };
  if (provenance.note !== undefined) clean.note = provenance.note;
  if (provenance.signal !== undefined) clean.signal = provenance.signal;
  return clean;
}

export function cleanSource(source: LessonSource): LessonSource {
  return { problemId: source.problemId, question: source.question, imageRefs: [...source.imageRefs] };
}

/** Columns are written by the store, but the file may be old or edited by hand: parse, never trust. */
function parseColumn<T>(schema: z.ZodType<T>, json: string, column: string): T {
  return parseValue(schema, JSON.parse(json), column);
}

function parseValue<T>(schema: z.ZodType<T>, value: unknown, column: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw mmevolveError('corrupt-memory', `memory database column ${column} is invalid: ${parsed.error.message}`, 'restore the file from a backup or an export');
  }
  return parsed.data;
}

export function rowToLesson(row: LessonRow): Lesson {
  return {
    id: row.id,
    tenant: row.tenant,
    stream: parseValue(lessonStreamSchema, row.stream, 'stream'),
    text: row.text,
    subject: row.subject,
    concepts: parseColumn(conceptsSchema, row.concepts_json, 'concepts_json'),
    source: cleanSource(parseColumn(lessonSourceSchema, row.source_json, 'source_json')),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    usageCount: row.usage_count,
    version: row.current_version,
    provenance: cleanProvenance(parseColumn(lessonProvenanceSchema, row.provenance_json, 'provenance_json')),
    embeddingModel: row.embedding_model,
  };
}

export function rowToVersion(row: VersionRow<unknown>): LessonVersion {
  return {
    lessonId: row.lesson_id,
    version: row.version,
    text: row.text,
    subject: row.subject,
    concepts: parseColumn(conceptsSchema, row.concepts_json, 'concepts_json'),
    source: cleanSource(parseColumn(lessonSourceSchema, row.source_json, 'source_json')),
    createdAt: row.created_at,
    provenance: cleanProvenance(parseColumn(lessonProvenanceSchema, row.provenance_json, 'provenance_json')),
    embeddingModel: row.embedding_model,
  };
}

export function streamCode(stream: LessonStream): bigint {
  // vec0 integer partition keys must be bound as integers; better-sqlite3 binds JS numbers as REAL.
  return stream === 'visual' ? 1n : 0n;
}
