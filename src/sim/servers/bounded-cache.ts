/** Insertion-ordered caches of the simulated servers: insert, then drop the oldest entry beyond `limit`. */
export function rememberBounded<T>(cache: Map<string, T>, key: string, value: T, limit: number): T {
  cache.set(key, value);
  if (cache.size > limit) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return value;
}
