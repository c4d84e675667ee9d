/**
 * Schema migrations of the Postgres lesson store, applied in order under an advisory lock (two replicas
 * starting together migrate once) and recorded in a schema_version table, one row per applied version.
 * A migration never changes once released; a change to the schema is a new entry at the end.
 */
import type pg from 'pg';
import { mmevolveError } from '../../../core/index.js';
import type { VectorLayout } from '../schema.js';

interface Migration {
  version: number;
  description: string;
  sql(schema: string, layout: VectorLayout): string;
}

/** pgvector's HNSW index takes `vector` columns of at most 2,000 dimensions; wider ones are scanned exactly. */
export const HNSW_MAX_DIMENSIONS = 2000;

/**
 * The current text vector lives on the lesson row (one HNSW index over all tenants, cosine); every
 * version keeps its own vector as given, so a restore or an export gives it back exactly. Texts are
 * unique per tenant and stream through their md5 (a btree entry cannot hold a long text).
 * partition_sizes counts lessons per (tenant, stream) and images per tenant ('image'), for the choice
 * between exact search and HNSW candidates without a count(*) per query.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'lessons, versions, source images, their HNSW indexes and partition sizes',
    sql: (s, layout) => `
      create table ${s}.workspace (key text primary key, value text not null);
      create table ${s}.lessons (
        rowid bigint generated always as identity primary key,
        tenant text not null,
        id text not null,
        stream text not null check (stream in ('visual', 'logic')),
        normalised_text text not null,
        current_version integer not null,
        created_at text not null,
        usage_count integer not null default 0,
        text_vector vector(${dimensions(layout.dimensions)}) not null,
        unique (tenant, id)
      );
      create unique index lessons_unique_text on ${s}.lessons (tenant, stream, md5(normalised_text));
      create index lessons_by_tenant_stream_created on ${s}.lessons (tenant, stream, created_at, rowid);
      create index lessons_by_tenant_created on ${s}.lessons (tenant, created_at, rowid);
      ${hnsw(layout.dimensions, `create index lessons_text_hnsw on ${s}.lessons using hnsw (text_vector vector_cosine_ops);`)}
      create table ${s}.lesson_versions (
        lesson_rowid bigint not null references ${s}.lessons(rowid) on delete cascade,
        version integer not null,
        text text not null,
        subject text not null,
        concepts_json text not null,
        source_json text not null,
        provenance_json text not null,
        embedding_model text not null,
        created_at text not null,
        text_vector vector(${dimensions(layout.dimensions)}) not null,
        primary key (lesson_rowid, version)
      );
      create table ${s}.lesson_images (
        rowid bigint generated always as identity primary key,
        lesson_rowid bigint not null references ${s}.lessons(rowid) on delete cascade,
        tenant text not null,
        image_ref text not null,
        vector vector(${dimensions(layout.imageDimensions)}) not null
      );
      create index lesson_images_by_lesson on ${s}.lesson_images (lesson_rowid);
      create index lesson_images_by_tenant on ${s}.lesson_images (tenant);
      ${hnsw(layout.imageDimensions, `create index lesson_images_hnsw on ${s}.lesson_images using hnsw (vector vector_cosine_ops);`)}
      create table ${s}.partition_sizes (
        tenant text not null,
        part text not null check (part in ('visual', 'logic', 'image')),
        size bigint not null,
        primary key (tenant, part)
      );
    `,
  },
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the schema and the pgvector extension when missing, then applies the migrations it lacks. */
export async function migratePostgres(client: pg.PoolClient, schema: string, layout: VectorLayout, upTo = PG_SCHEMA_VERSION): Promise<number> {
  try {
    await client.query('create extension if not exists vector');
  } catch (cause) {
    throw mmevolveError('postgres-unavailable', 'the Postgres server has no pgvector extension, or this user may not create it', 'install pgvector on the server and run `create extension vector` as its owner once', cause);
  }
  await client.query('begin');
  try {
    // hashtext gives a stable int per schema name: replicas of one workspace wait for each other, others do not.
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`mmevolve-memory:${schema}`]);
    await client.query(`create schema if not exists ${schema}`);
    await client.query(`create table if not exists ${schema}.schema_version (version integer primary key, description text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number | null }>(`select max(version) as version from ${schema}.schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > PG_SCHEMA_VERSION) {
      throw mmevolveError(
        'schema-too-new',
        `the Postgres lesson store in schema ${schema} has schema version ${current}, this mmevolve knows up to ${PG_SCHEMA_VERSION}`,
        'upgrade mmevolve on every replica, or point store.schema at another schema',
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current || migration.version > upTo) continue;
      await client.query(migration.sql(schema, layout));
      await client.query(`insert into ${schema}.schema_version (version, description) values ($1, $2)`, [migration.version, migration.description]);
    }
    await client.query('commit');
    return Math.max(current, Math.min(upTo, PG_SCHEMA_VERSION));
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** Dimensions are interpolated into DDL, so they must be plain integers (pgvector takes up to 16,000). */
function dimensions(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 16_000) {
    throw mmevolveError('invalid-input', `vector dimensions must be an integer in 1..16000, got ${value}`, 'pass the embedder\'s output size');
  }
  return value;
}

function hnsw(dimensionsOfColumn: number, statement: string): string {
  return dimensionsOfColumn <= HNSW_MAX_DIMENSIONS ? statement : '';
}
