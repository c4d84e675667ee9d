/**
 * Seeded randomness and stable string hashing shared by the simulated world, the bootstrap and the benches,
 * so every "random" number in the project is a pure function of a seed. Math.random is never used for data.
 */

/** mulberry32: a small, fast, seedable 32-bit generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a's 32-bit offset basis. */
export const FNV1A_OFFSET_BASIS = 0x811c9dc5;

/** FNV-1a 32-bit over UTF-16 code units, starting from `basis`: stable across platforms, no dependency. */
export function fnv1a(text: string, basis = FNV1A_OFFSET_BASIS): number {
  let hash = basis >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
