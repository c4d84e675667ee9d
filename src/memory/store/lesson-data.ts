/**
 * Backend-neutral shapes of what the lesson stores write and read (SQLite here, Postgres in postgres/),
 * and the checks both apply to a workspace and a tenant id, so the two stores agree on them.
 */
import type { LessonImageVector, LessonStream, LessonVersion } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';

export interface WorkspaceInfo {
  embeddingModel: string;
  dimensions: number;
  imageEmbeddingModel: string;
  imageDimensions: number;
}

export interface VersionWithVector {
  version: LessonVersion;
  textVector: Float32Array;
}

export interface LessonRows {
  id: string;
  stream: LessonStream;
  createdAt: string;
  usageCount: number;
  /** Oldest first; the last one becomes current. */
  versions: VersionWithVector[];
  images: LessonImageVector[];
}

/** What an open call may say about the workspace; checked against the recorded one. */
export interface WorkspaceRequest {
  dimensions?: number | undefined;
  embeddingModel?: string | undefined;
  imageDimensions?: number | undefined;
  imageEmbeddingModel?: string | undefined;
}

/**
 * The workspace a store opens with: the recorded one when there is one (refusing other embeddings, since
 * vectors of two models cannot be compared), else the requested one, which must then be complete.
 * `where` names the store for the user (a file path, or a Postgres URL without its password).
 */
export function resolveWorkspace(recorded: WorkspaceInfo | undefined, request: WorkspaceRequest, where: string): WorkspaceInfo {
  if (recorded === undefined) {
    if (request.dimensions === undefined || request.embeddingModel === undefined) {
      throw mmevolveError('invalid-input', `memory database ${where} is new: its embedding model and dimensions must be given`, 'pass dimensions and embeddingModel (the CLI uses the offline lexical embedder by default)');
    }
    return {
      embeddingModel: request.embeddingModel,
      dimensions: request.dimensions,
      imageEmbeddingModel: request.imageEmbeddingModel ?? request.embeddingModel,
      imageDimensions: request.imageDimensions ?? request.dimensions,
    };
  }
  const mismatches: string[] = [];
  const compare = (label: string, wanted: string | number | undefined, actual: string | number): void => {
    if (wanted !== undefined && wanted !== actual) mismatches.push(`${label} ${String(wanted)} (workspace has ${String(actual)})`);
  };
  compare('embedding model', request.embeddingModel, recorded.embeddingModel);
  compare('dimensions', request.dimensions, recorded.dimensions);
  compare('image embedding model', request.imageEmbeddingModel, recorded.imageEmbeddingModel);
  compare('image dimensions', request.imageDimensions, recorded.imageDimensions);
  if (mismatches.length > 0) {
    throw mmevolveError(
      'embedding-mismatch',
      `memory database ${where} was built with other embeddings: asked for ${mismatches.join(', ')}`,
      'use the workspace\'s embedder, or export the lessons and import them into a new --db, which re-embeds them',
    );
  }
  return recorded;
}

/** The workspace table's key/value rows as a WorkspaceInfo; undefined when the table is empty. */
export function workspaceFromRows(rows: readonly { key: string; value: string }[]): WorkspaceInfo | undefined {
  if (rows.length === 0) return undefined;
  const values = new Map(rows.map((row) => [row.key, row.value]));
  const embeddingModel = values.get('embedding_model');
  const dimensions = Number(values.get('dimensions'));
  const imageEmbeddingModel = values.get('image_embedding_model');
  const imageDimensions = Number(values.get('image_dimensions'));
  if (embeddingModel === undefined || imageEmbeddingModel === undefined || !Number.isInteger(dimensions) || !Number.isInteger(imageDimensions)) {
    throw mmevolveError('corrupt-memory', 'memory database has no valid workspace record', 'restore it from a backup or an export');
  }
  return { embeddingModel, dimensions, imageEmbeddingModel, imageDimensions };
}

/** The rows a workspace is recorded as. */
export function workspaceRows(workspace: WorkspaceInfo): [string, string][] {
  return [
    ['embedding_model', workspace.embeddingModel],
    ['dimensions', String(workspace.dimensions)],
    ['image_embedding_model', workspace.imageEmbeddingModel],
    ['image_dimensions', String(workspace.imageDimensions)],
  ];
}

const MAX_TENANT_LENGTH = 200;

/** Tenant ids are data, never SQL; they only need to be non-empty, bounded and free of control characters. */
export function checkTenant(tenant: string): void {
  // \p{Cc} covers C0 controls, DEL and C1 controls.
  if (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > MAX_TENANT_LENGTH || /\p{Cc}/u.test(tenant)) {
    throw mmevolveError('invalid-input', `invalid tenant id ${JSON.stringify(tenant)}`, `use a non-empty id of at most ${MAX_TENANT_LENGTH} characters without control characters`);
  }
}
