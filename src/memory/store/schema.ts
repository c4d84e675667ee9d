/**
 * Schema migrations of the lesson store, applied in order and recorded in SQLite's `user_version`.
 * A migration never changes once released; a change to the schema is a new entry at the end.
 */
import type Database from 'better-sqlite3';
import { mmevolveError } from '../../core/index.js';
import { blobToVector, signBitCount, signBits } from './vector-codec.js';

export interface VectorLayout {
  dimensions: number;
  imageDimensions: number;
}

interface Migration {
  version: number;
  description: string;
  up(db: Database.Database, layout: VectorLayout): void;
}

/**
 * vec0 partitions by tenant (and stream for texts) so a KNN query scans only the asking tenant's
 * vectors, inside the index. chunk_size 128 (default 1024) bounds the space a small tenant's partition
 * preallocates: 128 × dims × 4 bytes. The indexes hold unit-length copies and rank by L2, since for unit
 * vectors cosine = 1 − l2² / 2 and sqlite-vec's L2 kernel ran ~35% faster than its cosine kernel at
 * 100,000 × 256 (bench/memory-store.bench.ts). The vectors as given are kept in the row tables.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'lessons, versions, source images and their vector indexes',
    up(db, layout) {
      db.exec(`
        create table workspace (key text primary key, value text not null) strict;
        create table lessons (
          rowid integer primary key,
          tenant text not null,
          id text not null,
          stream text not null check (stream in ('visual', 'logic')),
          normalised_text text not null,
          current_version integer not null,
          created_at text not null,
          usage_count integer not null default 0,
          unique (tenant, id),
          unique (tenant, stream, normalised_text)
        ) strict;
        create table lesson_versions (
          lesson_rowid integer not null references lessons(rowid) on delete cascade,
          version integer not null,
          text text not null,
          subject text not null,
          concepts_json text not null,
          source_json text not null,
          provenance_json text not null,
          embedding_model text not null,
          created_at text not null,
          text_vector blob not null,
          primary key (lesson_rowid, version)
        ) strict;
        create table lesson_images (
          rowid integer primary key,
          lesson_rowid integer not null references lessons(rowid) on delete cascade,
          image_ref text not null,
          vector blob not null
        ) strict;
        create index lesson_images_by_lesson on lesson_images(lesson_rowid);
        create index lessons_by_tenant_stream_created on lessons(tenant, stream, created_at);
        create index lessons_by_tenant_created on lessons(tenant, created_at);
        create virtual table vec_lesson_text using vec0(
          tenant text partition key,
          stream integer partition key,
          embedding float[${integerOrThrow(layout.dimensions)}] distance_metric=l2,
          chunk_size=128
        );
        create virtual table vec_lesson_images using vec0(
          tenant text partition key,
          embedding float[${integerOrThrow(layout.imageDimensions)}] distance_metric=l2,
          chunk_size=128
        );
      `);
    },
  },
  {
    version: 2,
    description: 'sign-bit copies of the current text vectors, for two-stage text search',
    up(db, layout) {
      // Same partitions as vec_lesson_text. chunk_size 1024: 32 KB of bits at 256 dims, and few chunk rows
      // for text-search.ts to read (it scans these chunks itself: sqlite-vec's own bit KNN picks each chunk's
      // top k by repeated minimum passes, O(chunk_size × k), ~38 ms for k = 320 at 100,000 vectors).
      db.exec(`
        create virtual table vec_lesson_text_bits using vec0(
          tenant text partition key,
          stream integer partition key,
          embedding bit[${signBitCount(integerOrThrow(layout.dimensions))}],
          chunk_size=1024
        );
      `);
      // Pages by rowid: better-sqlite3 cannot write while an iterator holds the connection.
      const page = db.prepare(`select l.rowid, l.tenant, l.stream, v.text_vector from lessons l
        join lesson_versions v on v.lesson_rowid = l.rowid and v.version = l.current_version
        where l.rowid > ? order by l.rowid limit 1000`);
      const insert = db.prepare('insert into vec_lesson_text_bits (rowid, tenant, stream, embedding) values (?, ?, ?, vec_bit(?))');
      for (let after = 0; ; ) {
        const rows = page.all(after) as { rowid: number; tenant: string; stream: string; text_vector: Buffer }[];
        for (const row of rows) insert.run(BigInt(row.rowid), row.tenant, row.stream === 'visual' ? 1n : 0n, signBits(blobToVector(row.text_vector)));
        const last = rows.at(-1);
        if (last === undefined) break;
        after = last.rowid;
      }
    },
  },
  {
    version: 3,
    description: 'HNSW graphs beside the database replace the sign-bit index; a generation per partition keeps them honest',
    up(db) {
      // The bit index was scanned through sqlite-vec's private chunk tables; the HNSW graphs
      // (hnsw-text-index.ts) are derived from lesson_versions and checked against these generations.
      db.exec(`
        drop table if exists vec_lesson_text_bits;
        create table text_index_generations (
          tenant text not null,
          stream text not null,
          generation integer not null,
          size integer not null,
          primary key (tenant, stream)
        ) strict;
        insert into text_index_generations (tenant, stream, generation, size)
          select tenant, stream, 1, count(*) from lessons group by tenant, stream;
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies every migration newer than the database's user_version, each in its own transaction.
 * `upTo` stops at an older version: tests use it to build a database as an earlier release left it.
 */
export function migrate(db: Database.Database, layout: VectorLayout, upTo = SCHEMA_VERSION): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw mmevolveError(
      'schema-too-new',
      `memory database has schema version ${current}, this mmevolve knows up to ${SCHEMA_VERSION}`,
      'upgrade mmevolve, or point --db at another file',
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > upTo) continue;
    db.transaction(() => {
      migration.up(db, layout);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return Math.max(current, Math.min(upTo, SCHEMA_VERSION));
}

/** Dimensions are interpolated into DDL (vec0 takes no parameters there), so they must be plain integers. */
function integerOrThrow(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 8192) {
    throw mmevolveError('invalid-input', `vector dimensions must be an integer in 1..8192, got ${value}`, 'pass the embedder\'s output size');
  }
  return value;
}
