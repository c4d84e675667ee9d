/** Cosine similarity of embedding vectors: one implementation for the memory method, the proxy and the offline embedding. */

/** Cosine similarity of two equal-length vectors (0 when either is the zero vector). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} vs ${b.length}`);
  return cosineOfCommonPrefix(a, b);
}

/**
 * Cosine similarity over the first min(a.length, b.length) coordinates (0 when either part is all zeros):
 * for vectors of one model truncated to different (Matryoshka) lengths.
 */
export function cosineOfCommonPrefix(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const left = a[index] ?? 0;
    const right = b[index] ?? 0;
    dot += left * right;
    normA += left * left;
    normB += right * right;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
