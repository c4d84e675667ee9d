/**
 * Every SQL statement of the store, prepared once per connection. Each statement that reads or writes
 * lessons filters by tenant (vector tables are reached only by rowids taken from tenant-filtered rows,
 * or by a KNN query constrained to the tenant's partition).
 */
import type Database from 'better-sqlite3';

const LESSON_SELECT = `
  select l.rowid as rowid, l.tenant, l.id, l.stream, l.current_version, l.created_at, l.usage_count,
         v.text, v.subject, v.concepts_json, v.source_json, v.provenance_json, v.embedding_model,
         v.created_at as updated_at
  from lessons l join lesson_versions v on v.lesson_rowid = l.rowid and v.version = l.current_version`;

const VERSION_SELECT = `
  select l.id as lesson_id, v.version, v.text, v.subject, v.concepts_json, v.source_json,
         v.provenance_json, v.embedding_model, v.created_at, v.text_vector
  from lesson_versions v join lessons l on l.rowid = v.lesson_rowid`;

const LIST_FILTER = `
  where l.tenant = @tenant
    and (@stream is null or l.stream = @stream)
    and (@subject is null or v.subject = @subject)`;

/** better-sqlite3's statement under a name of ours: its own type lives in a namespace that declaration files (the lib/ build) cannot name. */
export interface PreparedStatement extends Database.Statement {}

export function prepareStatements(db: Database.Database) {
  const prepare = (sql: string): PreparedStatement => db.prepare(sql);
  return {
    lessonById: prepare(`${LESSON_SELECT} where l.tenant = ? and l.id = ?`),
    lessonByNormalisedText: prepare(`${LESSON_SELECT} where l.tenant = ? and l.stream = ? and l.normalised_text = ?`),
    // Import's conflict checks, one batch of ids or texts (a JSON array) per query, through the unique indexes.
    existingIds: prepare('select id from lessons where tenant = ? and id in (select value from json_each(?))'),
    existingTexts: prepare('select normalised_text as text from lessons where tenant = ? and stream = ? and normalised_text in (select value from json_each(?))'),
    // KNN hits → lessons: CROSS JOIN makes SQLite walk the few hit rowids instead of the tenant's whole index.
    lessonsByRowids: prepare(`
      select l.rowid as rowid, l.tenant, l.id, l.stream, l.current_version, l.created_at, l.usage_count,
             v.text, v.subject, v.concepts_json, v.source_json, v.provenance_json, v.embedding_model,
             v.created_at as updated_at
      from json_each(?) hit cross join lessons l on l.rowid = hit.value
      join lesson_versions v on v.lesson_rowid = l.rowid and v.version = l.current_version
      where l.tenant = ?`),
    listLessons: prepare(`${LESSON_SELECT} ${LIST_FILTER} order by l.created_at, l.rowid limit @limit offset @offset`),
    countLessons: prepare(`select count(*) as count from lessons l join lesson_versions v
      on v.lesson_rowid = l.rowid and v.version = l.current_version ${LIST_FILTER}`),
    currentTextVectors: prepare(`select l.id, v.text_vector from lessons l join lesson_versions v
      on v.lesson_rowid = l.rowid and v.version = l.current_version where l.tenant = ? and l.id in (select value from json_each(?))`),
    allLessonsOfTenant: prepare(`${LESSON_SELECT} where l.tenant = ? order by l.created_at, l.rowid`),
    insertLesson: prepare(`insert into lessons (tenant, id, stream, normalised_text, current_version, created_at, usage_count)
      values (@tenant, @id, @stream, @normalisedText, @version, @createdAt, @usageCount)`),
    insertVersion: prepare(`insert into lesson_versions (lesson_rowid, version, text, subject, concepts_json, source_json,
        provenance_json, embedding_model, created_at, text_vector)
      values (@lessonRowid, @version, @text, @subject, @conceptsJson, @sourceJson, @provenanceJson, @embeddingModel, @createdAt, @textVector)`),
    setCurrentVersion: prepare('update lessons set current_version = ?, normalised_text = ? where rowid = ?'),
    versionsOfLesson: prepare(`${VERSION_SELECT} where l.tenant = ? and l.id = ? order by v.version`),
    versionOfLesson: prepare(`${VERSION_SELECT} where l.tenant = ? and l.id = ? and v.version = ?`),
    incrementUsage: prepare('update lessons set usage_count = usage_count + 1 where tenant = ? and id = ?'),
    deleteLesson: prepare('delete from lessons where rowid = ?'),
    insertTextVector: prepare('insert into vec_lesson_text (rowid, tenant, stream, embedding) values (?, ?, ?, ?)'),
    deleteTextVector: prepare('delete from vec_lesson_text where rowid = ?'),
    insertImage: prepare('insert into lesson_images (lesson_rowid, image_ref, vector) values (?, ?, ?)'),
    insertImageVector: prepare('insert into vec_lesson_images (rowid, tenant, embedding) values (?, ?, ?)'),
    deleteImageVector: prepare('delete from vec_lesson_images where rowid = ?'),
    imagesOfLesson: prepare('select rowid, image_ref, vector from lesson_images where lesson_rowid = ? order by rowid'),
    imageOwners: prepare(`select i.rowid as image_rowid, i.lesson_rowid
      from json_each(?) hit cross join lesson_images i on i.rowid = hit.value join lessons l on l.rowid = i.lesson_rowid
      where l.tenant = ?`),
    knnText: prepare(`select rowid, distance from vec_lesson_text
      where embedding match ? and k = ? and tenant = ? and stream = ? order by distance`),
    // HNSW candidates (hnsw-text-index.ts): a partition's generation changes with every write to its text
    // vectors; its size decides between exact search and graph candidates; the current vectors rebuild it.
    bumpTextGeneration: prepare(`insert into text_index_generations (tenant, stream, generation, size) values (@tenant, @stream, 1, @change)
      on conflict (tenant, stream) do update set generation = generation + 1, size = size + @change`),
    textGeneration: prepare('select generation, size from text_index_generations where tenant = ? and stream = ?'),
    partitionTextVectors: prepare(`select l.rowid, v.text_vector from lessons l
      join lesson_versions v on v.lesson_rowid = l.rowid and v.version = l.current_version
      where l.tenant = ? and l.stream = ? order by l.rowid`),
    // The same stored unit vectors and L2 kernel as knnText, so a lesson's distance is the one exact search gives.
    rescoreText: prepare(`select t.rowid as rowid, vec_distance_l2(t.embedding, ?) as distance
      from json_each(?) hit cross join vec_lesson_text t on t.rowid = hit.value order by distance, t.rowid limit ?`),
    knnImages: prepare(`select rowid, distance from vec_lesson_images
      where embedding match ? and k = ? and tenant = ? order by distance`),
    lessonRowidsOfTenant: prepare('select rowid from lessons where tenant = ?'),
    lessonStream: prepare('select stream from lessons where rowid = ?'),
    imageRowidsOfTenant: prepare(`select i.rowid from lesson_images i join lessons l on l.rowid = i.lesson_rowid where l.tenant = ?`),
    tenantCounts: prepare(`select
        (select count(*) from lessons where tenant = @tenant) as lessons,
        (select count(*) from lessons where tenant = @tenant and stream = 'visual') as visual,
        (select count(*) from lesson_versions v join lessons l on l.rowid = v.lesson_rowid where l.tenant = @tenant) as versions,
        (select count(*) from lesson_images i join lessons l on l.rowid = i.lesson_rowid where l.tenant = @tenant) as images`),
    textVectorsOfTenant: prepare('select count(*) as count from vec_lesson_text where tenant = ?'),
    imageVectorsOfTenant: prepare('select count(*) as count from vec_lesson_images where tenant = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
