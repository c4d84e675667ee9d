/**
 * A tenant's memory that remembers what one request wrote, so a request that fails half-way (e.g. the
 * logic lesson stored, then the visual writer's model call exhausts its retries) can be undone: new
 * lessons are deleted and edited (merged) lessons restored to the version they had before. The client
 * then sees a 503 and the memory as it was; an edit's rollback stays visible in the lesson's versions.
 */
import type { InsertResult, Lesson, LessonEdit, NewLesson, TenantMemory } from '../core/index.js';

export interface JournaledMemory {
  memory: TenantMemory;
  /** Undo this request's inserts and edits, newest first. */
  rollback(): Promise<void>;
}

export function journaledMemory(inner: TenantMemory): JournaledMemory {
  const created: string[] = [];
  const edited: { id: string; version: number }[] = [];
  const memory: TenantMemory = {
    tenant: inner.tenant,
    async insert(lesson: NewLesson): Promise<InsertResult> {
      const result = await inner.insert(lesson);
      if (result.created) created.push(result.lesson.id);
      return result;
    },
    async edit(id: string, edit: LessonEdit): Promise<Lesson> {
      const before = await inner.get(id);
      const lesson = await inner.edit(id, edit);
      if (before !== undefined && !created.includes(id)) edited.push({ id, version: before.version });
      return lesson;
    },
    get: (id) => inner.get(id),
    list: (options) => inner.list(options),
    searchByTextVector: (stream, vector, k, minScore) => inner.searchByTextVector(stream, vector, k, minScore),
    searchByImageVector: (vector, k, minScore) => inner.searchByImageVector(vector, k, minScore),
    textVectors: (ids) => inner.textVectors(ids),
    findExact: (stream, text) => inner.findExact(stream, text),
    // A batch is atomic in the store itself: nothing to journal or undo.
    applyWrites: (writes) => inner.applyWrites(writes),
    versions: (id) => inner.versions(id),
    restore: (id, version) => inner.restore(id, version),
    recordUsage: (ids) => inner.recordUsage(ids),
    delete: (id) => inner.delete(id),
    clear: () => inner.clear(),
    export: (options) => inner.export(options),
    import: (records, options) => inner.import(records, options),
    stats: () => inner.stats(),
  };
  return {
    memory,
    async rollback() {
      for (const id of created.reverse()) await inner.delete(id);
      // The earliest recorded version of each lesson is the one it had before this request.
      const first = new Map<string, number>();
      for (const { id, version } of edited) if (!first.has(id)) first.set(id, version);
      for (const [id, version] of first) await inner.restore(id, version);
    },
  };
}
