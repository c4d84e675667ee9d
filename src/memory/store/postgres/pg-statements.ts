/**
 * The SQL of the Postgres lesson store, built once per schema. Every statement that reads or writes
 * lessons filters by tenant (images carry their lesson's tenant for the same reason), so no query can
 * reach another tenant's rows. Vectors are bound as pgvector text ('[…]') and cast.
 */
const LESSON_COLUMNS = `l.rowid, l.tenant, l.id, l.stream, l.current_version, l.created_at, l.usage_count,
  v.text, v.subject, v.concepts_json, v.source_json, v.provenance_json, v.embedding_model, v.created_at as updated_at`;

export function pgStatements(s: string) {
  const lessonSelect = `select ${LESSON_COLUMNS}
    from ${s}.lessons l join ${s}.lesson_versions v on v.lesson_rowid = l.rowid and v.version = l.current_version`;
  const versionSelect = `select l.id as lesson_id, v.version, v.text, v.subject, v.concepts_json, v.source_json,
      v.provenance_json, v.embedding_model, v.created_at, v.text_vector::text as text_vector
    from ${s}.lesson_versions v join ${s}.lessons l on l.rowid = v.lesson_rowid`;
  const listFilter = `where l.tenant = $1 and ($2::text is null or l.stream = $2) and ($3::text is null or v.subject = $3)`;
  return {
    lessonById: `${lessonSelect} where l.tenant = $1 and l.id = $2`,
    lessonByIdForUpdate: `${lessonSelect} where l.tenant = $1 and l.id = $2 for update of l`,
    lessonByNormalisedText: `${lessonSelect} where l.tenant = $1 and l.stream = $2 and md5(l.normalised_text) = md5($3) and l.normalised_text = $3`,
    // Import's conflict checks, one batch per query; texts go through the unique (tenant, stream, md5) index.
    existingIds: `select id from ${s}.lessons where tenant = $1 and id = any($2::text[])`,
    existingTexts: `select normalised_text as text from ${s}.lessons
      where tenant = $1 and stream = $2 and md5(normalised_text) = any(array(select md5(t) from unnest($3::text[]) as t))
        and normalised_text = any($3::text[])`,
    lessonsByRowids: `${lessonSelect} where l.tenant = $1 and l.rowid = any($2::bigint[])`,
    listLessons: `${lessonSelect} ${listFilter} order by l.created_at, l.rowid limit $4 offset $5`,
    countLessons: `select count(*) as count from ${s}.lessons l join ${s}.lesson_versions v
      on v.lesson_rowid = l.rowid and v.version = l.current_version ${listFilter}`,
    allLessonsOfTenant: `${lessonSelect} where l.tenant = $1 order by l.created_at, l.rowid`,
    rowidsOfTenant: `select rowid from ${s}.lessons where tenant = $1 order by created_at, rowid`,
    currentTextVectors: `select id, text_vector::text as text_vector from ${s}.lessons where tenant = $1 and id = any($2::text[])`,
    versionsOfLesson: `${versionSelect} where l.tenant = $1 and l.id = $2 order by v.version`,
    versionOfLesson: `${versionSelect} where l.tenant = $1 and l.id = $2 and v.version = $3`,
    versionsOfLessons: `${versionSelect} where l.tenant = $1 and l.rowid = any($2::bigint[]) order by v.lesson_rowid, v.version`,
    imagesOfLessons: `select lesson_rowid, image_ref, vector::text as vector from ${s}.lesson_images
      where tenant = $1 and lesson_rowid = any($2::bigint[]) order by rowid`,
    insertLessons: `insert into ${s}.lessons (tenant, id, stream, normalised_text, current_version, created_at, usage_count, text_vector)
      select $1, id, stream, normalised_text, current_version, created_at, usage_count, text_vector::vector
      from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::text[])
        as t(id, stream, normalised_text, current_version, created_at, usage_count, text_vector)
      returning rowid, id`,
    insertVersions: `insert into ${s}.lesson_versions (lesson_rowid, version, text, subject, concepts_json, source_json,
        provenance_json, embedding_model, created_at, text_vector)
      select lesson_rowid, version, text, subject, concepts_json, source_json, provenance_json, embedding_model, created_at, text_vector::vector
      from unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
        as t(lesson_rowid, version, text, subject, concepts_json, source_json, provenance_json, embedding_model, created_at, text_vector)`,
    insertImages: `insert into ${s}.lesson_images (lesson_rowid, tenant, image_ref, vector)
      select lesson_rowid, $1, image_ref, vector::vector from unnest($2::bigint[], $3::text[], $4::text[]) as t(lesson_rowid, image_ref, vector)`,
    setCurrentVersion: `update ${s}.lessons set current_version = $2, normalised_text = $3, text_vector = $4::vector where rowid = $1`,
    incrementUsage: `with wanted as (select id, count(*)::int as uses from unnest($2::text[]) as id group by id)
      update ${s}.lessons l set usage_count = l.usage_count + wanted.uses from wanted
      where l.tenant = $1 and l.id = wanted.id returning wanted.uses`,
    // One snapshot for both CTEs: the image count is read before the cascade removes them.
    deleteLesson: `with images as (select count(*) as images from ${s}.lesson_images where lesson_rowid = $2),
        gone as (delete from ${s}.lessons where tenant = $1 and rowid = $2 returning stream)
      select gone.stream, images.images from gone, images`,
    clearTenant: `with gone as (delete from ${s}.lessons where tenant = $1 returning rowid) select count(*) as count from gone`,
    clearPartitions: `delete from ${s}.partition_sizes where tenant = $1`,
    addToPartition: `insert into ${s}.partition_sizes (tenant, part, size) values ($1, $2, $3)
      on conflict (tenant, part) do update set size = ${s}.partition_sizes.size + excluded.size`,
    partitionSize: `select size from ${s}.partition_sizes where tenant = $1 and part = $2`,
    // Exact: the partition's distances computed in full (materialised, so no index can shortcut the order).
    exactText: `with d as materialized (select rowid, text_vector <=> $3::vector as distance from ${s}.lessons where tenant = $1 and stream = $2)
      select rowid, distance from d order by distance, rowid limit $4`,
    // Two-stage: HNSW candidates (iterative scan past other tenants' rows), then re-sorted by their exact distance.
    candidateText: `select rowid, distance from (select rowid, text_vector <=> $3::vector as distance from ${s}.lessons
        where tenant = $1 and stream = $2 order by text_vector <=> $3::vector limit $4) c
      order by distance, rowid limit $5`,
    exactImages: `select lesson_rowid, min(vector <=> $2::vector) as distance from ${s}.lesson_images where tenant = $1
      group by lesson_rowid order by distance, lesson_rowid limit $3`,
    candidateImages: `select lesson_rowid, min(distance) as distance from (select lesson_rowid, vector <=> $2::vector as distance
        from ${s}.lesson_images where tenant = $1 order by vector <=> $2::vector limit $3) c
      group by lesson_rowid order by distance, lesson_rowid limit $4`,
    tenantCounts: `select
        (select count(*) from ${s}.lessons where tenant = $1) as lessons,
        (select count(*) from ${s}.lessons where tenant = $1 and stream = 'visual') as visual,
        (select count(*) from ${s}.lesson_versions v join ${s}.lessons l on l.rowid = v.lesson_rowid where l.tenant = $1) as versions,
        (select count(*) from ${s}.lesson_images where tenant = $1) as images`,
    storeCounts: `select
        (select count(distinct tenant) from ${s}.lessons) as tenants,
        (select count(*) from ${s}.lessons) as lessons,
        (select count(*) from ${s}.lesson_versions) as versions,
        (select count(*) from ${s}.lesson_images) as images`,
    tenants: `select distinct tenant collate "C" as tenant from ${s}.lessons order by 1`,
  };
}

export type PgStatements = ReturnType<typeof pgStatements>;
