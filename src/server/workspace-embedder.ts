/**
 * The embedder whose vectors the memory workspace holds: the configured one when its model matches the
 * workspace, the built-in offline one when the workspace was made with it, otherwise none (memory writes
 * and searches then answer 503 embedding-mismatch instead of mixing vector spaces).
 */
import { createOfflineEmbedder } from '../backends/index.js';
import type { Embedder, MemoryStore } from '../core/index.js';
import { mmevolveError } from '../core/index.js';

export function workspaceEmbedder(store: MemoryStore, configured: Embedder | undefined): Embedder | undefined {
  if (configured !== undefined && configured.model === store.embeddingModel) return configured;
  const offline = createOfflineEmbedder(store.dimensions);
  return offline.model === store.embeddingModel ? offline : undefined;
}

export function requireEmbedder(store: MemoryStore, embedder: Embedder | undefined): Embedder {
  if (embedder !== undefined) return embedder;
  throw mmevolveError(
    'embedding-mismatch',
    `the memory workspace embeds with ${store.embeddingModel}, which no configured embedder provides`,
    'Configure backends.embedder with that model in mmevolve.config.*, or serve a memory database made with the configured embedder.',
  );
}

export async function embedOne(embedder: Embedder, text: string): Promise<Float32Array> {
  const [vector] = await embedder.embedTexts([text], { stage: 'memory-api' });
  if (vector === undefined) throw mmevolveError('invalid-model-output', 'the embedder returned no vector', 'Check the embedder backend.');
  return vector;
}
