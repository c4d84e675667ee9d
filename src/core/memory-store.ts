/**
 * The lesson store contract (issue 7, "The store"). The memory method (solve → verify → write → merge →
 * retrieve) codes against these types; the embedded SQLite + sqlite-vec implementation lives in
 * src/memory/store. Isolation is structural: a store hands out one `TenantMemory` per tenant and no
 * method of it can name another tenant. Every method is async so a remote store can implement it too.
 */

export type LessonStream = 'visual' | 'logic';

export type ProvenanceKind = 'written' | 'merged' | 'edited' | 'imported' | 'restored';

/**
 * What told the memory method that an answer was wrong, for lessons it writes: a gold answer given with the
 * problem (`gold`), a verdict or gold answer sent afterwards through POST /v1/feedback (`feedback`), or the
 * model's own check of its answer when no label exists (`label-free`).
 */
export type LessonSignal = 'gold' | 'feedback' | 'label-free';

/** Why a version exists and what it was made from (e.g. a merge names both sources and their versions). */
export interface LessonProvenance {
  kind: ProvenanceKind;
  fromLessonIds: string[];
  /** Parallel to fromLessonIds: the version of each source that was used. */
  fromVersions: number[];
  note?: string;
  /** Versions the memory method wrote or merged: which signal judged the answer wrong. */
  signal?: LessonSignal;
}

/** The problem whose failure produced the lesson; imageRefs are paths or ids of the source images. */
export interface LessonSource {
  problemId: string;
  question: string;
  imageRefs: string[];
}

export interface Lesson {
  id: string;
  tenant: string;
  stream: LessonStream;
  text: string;
  subject: string;
  concepts: string[];
  source: LessonSource;
  /** ISO 8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  usageCount: number;
  /** 1 for a new lesson; every edit, merge or restore adds one. */
  version: number;
  /** Provenance of the current version. */
  provenance: LessonProvenance;
  /** Model of the text embedding stored for the current version. */
  embeddingModel: string;
}

/** One kept version of a lesson (the current one included); older versions are never overwritten. */
export interface LessonVersion {
  lessonId: string;
  version: number;
  text: string;
  subject: string;
  concepts: string[];
  source: LessonSource;
  /** When this version was made. */
  createdAt: string;
  provenance: LessonProvenance;
  embeddingModel: string;
}

/** A source image of a visual lesson and its embedding (image retrieval matches these). */
export interface LessonImageVector {
  imageRef: string;
  vector: Float32Array;
}

export interface NewLesson {
  stream: LessonStream;
  text: string;
  subject: string;
  concepts: string[];
  source: LessonSource;
  /** Embedding of `text` (workspace text model and dimensions). */
  textVector: Float32Array;
  /** Visual lessons: embeddings of the source image(s) (workspace image model and dimensions). */
  imageVectors?: LessonImageVector[];
  /** Defaults to { kind: 'written', fromLessonIds: [], fromVersions: [] }. */
  provenance?: LessonProvenance;
}

export interface InsertResult {
  lesson: Lesson;
  /** false when a lesson with the same normalised text already existed in the stream (returned instead). */
  created: boolean;
}

/** An edit or merge: fields not given stay as they are; a new text needs its new vector. */
export interface LessonEdit {
  text?: string;
  textVector?: Float32Array;
  subject?: string;
  concepts?: string[];
  source?: LessonSource;
  /** Added to the lesson's image vectors (a merge brings the new failure's image along). */
  addImageVectors?: LessonImageVector[];
  /** Defaults to { kind: 'edited', fromLessonIds: [id], fromVersions: [current version] }. */
  provenance?: LessonProvenance;
}

/** One write of an all-or-nothing batch (TenantMemory.applyWrites). */
export type LessonWrite = { kind: 'insert'; lesson: NewLesson } | { kind: 'edit'; id: string; edit: LessonEdit };

/** What one write of a batch did, in the batch's order. */
export type LessonWriteResult = { kind: 'insert'; inserted: InsertResult } | { kind: 'edit'; lesson: Lesson };

export interface ListOptions {
  stream?: LessonStream;
  subject?: string;
  /** Default 100. */
  limit?: number;
  offset?: number;
}

export interface LessonPage {
  lessons: Lesson[];
  /** All lessons matching the filters (not just this page). */
  total: number;
}

export interface ScoredLesson {
  lesson: Lesson;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/** One JSONL line of an export: a header first, then one record per lesson (versions included). */
export type MemoryExportRecord = MemoryExportHeader | MemoryExportLesson;

export interface MemoryExportHeader {
  type: 'header';
  format: 'mmevolve-memory';
  formatVersion: 1;
  tenant: string;
  embeddingModel: string;
  dimensions: number;
  imageEmbeddingModel: string;
  imageDimensions: number;
  lessonCount: number;
  includesEmbeddings: boolean;
}

export interface MemoryExportLesson {
  type: 'lesson';
  lesson: Lesson;
  /** Oldest first; the last one is the current version. */
  versions: LessonVersion[];
  /** Present when exported with embeddings: one text vector per version, same order as `versions`. */
  textVectors?: number[][];
  images: { imageRef: string; vector?: number[] }[];
}

export interface ExportOptions {
  /** Default true. Without embeddings an import must re-embed. */
  embeddings?: boolean;
}

export interface ImportOptions {
  /** Embeds lesson texts when the export's model/dimensions differ from the workspace or lack vectors. */
  reembedTexts?: (texts: string[]) => Promise<Float32Array[]>;
  /** Embeds source images by ref; without it, visual lessons whose image vectors are unusable import with none. */
  reembedImages?: (imageRefs: string[]) => Promise<Float32Array[]>;
  /** 'error' (default) refuses a lesson id that exists already; 'skip' keeps the existing one. */
  onConflict?: 'error' | 'skip';
}

export interface ImportReport {
  imported: number;
  skipped: number;
  /** Lessons whose text vectors were recomputed through reembedTexts. */
  reembedded: number;
  /** e.g. visual lessons imported without image vectors. */
  warnings: { code: string; message: string }[];
}

export interface TenantStats {
  tenant: string;
  lessons: number;
  byStream: Record<LessonStream, number>;
  versions: number;
  textVectors: number;
  imageVectors: number;
}

export interface MemoryStoreStats {
  tenants: number;
  lessons: number;
  versions: number;
  /** Rows in the vector index tables (deletion tests assert these go to zero). */
  textVectors: number;
  imageVectors: number;
  embeddingModel: string;
  dimensions: number;
  imageEmbeddingModel: string;
  imageDimensions: number;
  schemaVersion: number;
}

/** Everything one tenant can do; no method takes a tenant, so none can reach another tenant. */
export interface TenantMemory {
  readonly tenant: string;
  insert(lesson: NewLesson): Promise<InsertResult>;
  /** undefined when the id does not exist for this tenant (whatever the id contains). */
  get(id: string): Promise<Lesson | undefined>;
  list(options?: ListOptions): Promise<LessonPage>;
  searchByTextVector(stream: LessonStream, vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]>;
  /** Visual lessons ranked by their best-matching source image. */
  searchByImageVector(vector: Float32Array, k: number, minScore?: number): Promise<ScoredLesson[]>;
  /**
   * The current text vectors of the given lessons (as inserted), keyed by id; unknown ids are absent.
   * For re-ranking image-retrieved visual lessons by the text query without re-embedding them.
   */
  textVectors(ids: readonly string[]): Promise<Map<string, Float32Array>>;
  /** The lesson whose normalised text (normaliseLessonText) equals the given one, if any. */
  findExact(stream: LessonStream, normalisedText: string): Promise<Lesson | undefined>;
  /** Creates a new version; the previous one stays in versions(). Throws not-found for unknown ids. */
  edit(id: string, edit: LessonEdit): Promise<Lesson>;
  /**
   * Applies the writes in order as one transaction: when any of them throws, none is kept (the store is
   * exactly as before, no version added). Compute everything first: no model call belongs inside.
   */
  applyWrites(writes: readonly LessonWrite[]): Promise<LessonWriteResult[]>;
  versions(id: string): Promise<LessonVersion[]>;
  /** Makes a new version whose content is that of `version` (provenance kind 'restored'). */
  restore(id: string, version: number): Promise<Lesson>;
  /** Adds one use to each existing id; returns how many lessons were updated. */
  recordUsage(ids: readonly string[]): Promise<number>;
  /** Removes the lesson, its versions and all its vectors; false when the id does not exist. */
  delete(id: string): Promise<boolean>;
  /** Removes all of this tenant's lessons, versions and vectors; returns the number of lessons removed. */
  clear(): Promise<number>;
  export(options?: ExportOptions): AsyncIterable<MemoryExportRecord>;
  import(records: AsyncIterable<MemoryExportRecord> | Iterable<MemoryExportRecord>, options?: ImportOptions): Promise<ImportReport>;
  stats(): Promise<TenantStats>;
}

export interface MemoryStore {
  readonly embeddingModel: string;
  readonly dimensions: number;
  readonly imageEmbeddingModel: string;
  readonly imageDimensions: number;
  /** Throws invalid-input for an unusable tenant id (empty, too long, control characters). */
  forTenant(tenant: string): TenantMemory;
  tenants(): Promise<string[]>;
  /** Removes everything of a tenant (rows and vectors); returns the number of lessons removed. */
  deleteTenant(tenant: string): Promise<number>;
  stats(): Promise<MemoryStoreStats>;
  close(): Promise<void>;
}

/**
 * The form used to detect exact duplicates: Unicode NFKC, lower case, runs of whitespace as one space,
 * trimmed. The method and the store must agree on it, hence it lives with the contract.
 */
export function normaliseLessonText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}
