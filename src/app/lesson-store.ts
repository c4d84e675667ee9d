/**
 * The one way a lesson store is opened: an existing database keeps the models it was made with; a new one
 * is made for the given embedder (one probe call learns its dimensions). And the one stand-in for "no
 * embedder configured", with one error, for the modes that never embed (baseline, step).
 */
import { existsSync } from 'node:fs';
import type { Embedder, MemoryStore } from '../core/index.js';
import { mmevolveError } from '../core/index.js';
import { openMemoryStore, openPostgresMemoryStore } from '../memory/index.js';
import type { SqliteMemoryStore } from '../memory/index.js';
import type { StoreConfig } from './config.js';

/** The error every surface raises when the memory method needs an embedder and none is configured. */
export function noEmbedderError(): Error {
  return mmevolveError(
    'backend-not-configured',
    'no embedder is configured, and the memory method needs one',
    'Pass --embedder-url URL (an OpenAI-compatible /v1/embeddings server), add backends.embedder to mmevolve.config.* ({kind: offline} for the built-in lexical/perceptual one), or use --mode step / baseline.',
  );
}

/** Fills the embedder slot of modes that never embed; any use raises noEmbedderError. */
export function missingEmbedder(): Embedder {
  const refuse = (): Promise<never> => Promise.reject(noEmbedderError());
  return { model: 'none', kind: 'semantic', embedTexts: refuse, embedImages: refuse };
}

/** Opens the store at `path`; a new one (or ':memory:') is created for `embedder`. */
export async function openLessonStore(path: string, embedder: Embedder | undefined): Promise<SqliteMemoryStore> {
  if (path !== ':memory:' && existsSync(path)) return openMemoryStore({ path });
  return openMemoryStore({ path, ...(await describeEmbedder(embedder)) });
}

/** Opens the configured store (`store:` of the config, a SQLite path already resolved); a new one is made for `embedder`. */
export async function openConfiguredLessonStore(store: StoreConfig, embedder: Embedder | undefined): Promise<MemoryStore> {
  if (store.kind === 'sqlite') return openLessonStore(store.path, embedder);
  return openPostgresMemoryStore({ url: store.url, schema: store.schema, maxConnections: store.maxConnections, describeNew: () => describeEmbedder(embedder) });
}

/** The dimensions and model a new store is made for: one probe call to the embedder. */
async function describeEmbedder(embedder: Embedder | undefined): Promise<{ dimensions: number; embeddingModel: string }> {
  if (embedder === undefined) throw noEmbedderError();
  const [probe] = await embedder.embedTexts(['dimension probe'], { stage: 'store-open' });
  if (probe === undefined) throw mmevolveError('backend-http', 'the embedder returned no vector for a probe text', 'Check backends.embedder (mmevolve backends check).');
  return { dimensions: probe.length, embeddingModel: embedder.model };
}
