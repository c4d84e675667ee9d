/**
 * The first stage of two-stage text search: Hamming distances from a query's sign bits to every valid slot
 * of a partition's bit-index chunks, read as sqlite-vec 0.1 stores them (one row per chunk: `size` slots,
 * a validity bitmap, `size` little-endian int64 rowids, and `size` bit vectors back to back). Scanning the
 * chunk blobs here is ~4× cheaper than a row-by-row SQL scan with vec_distance_hamming (bench, issue 7).
 */
import { mmevolveError } from '../../core/index.js';

/** [size, validity, rowids, vectors], as textBitChunks returns them (raw rows). */
export type BitChunkRow = [number, Buffer, Buffer, Buffer];

const BYTE_POPCOUNT = Uint8Array.from({ length: 256 }, (_, value) => {
  let count = 0;
  for (let bits = value; bits !== 0; bits >>= 1) count += bits & 1;
  return count;
});

function popcount32(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The rowids of the `count` valid slots nearest to `query` by Hamming distance (ties at the cut: scan order). */
export function nearestByHamming(chunks: readonly BitChunkRow[], query: Buffer, count: number): number[] {
  const bytes = query.length;
  let slots = 0;
  for (const chunk of chunks) {
    checkLayout(chunk, bytes);
    slots += chunk[0];
  }
  // Distances of invalid slots stay above any real one and are never taken.
  const invalid = bytes * 8 + 1;
  const distances = new Uint16Array(slots).fill(invalid);
  const histogram = new Uint32Array(invalid + 1);
  const wordQuery = bytes % 4 === 0 ? wordsOf(query) : undefined;
  let base = 0;
  for (const [size, validity, , vectors] of chunks) {
    const words = wordQuery === undefined ? undefined : wordsOf(vectors);
    for (let slot = 0; slot < size; slot += 1) {
      if ((((validity[slot >> 3] ?? 0) >> (slot & 7)) & 1) === 0) continue;
      let distance = 0;
      if (words !== undefined && wordQuery !== undefined) {
        const offset = slot * wordQuery.length;
        for (let word = 0; word < wordQuery.length; word += 1) distance += popcount32(((words[offset + word] ?? 0) ^ (wordQuery[word] ?? 0)) >>> 0);
      } else {
        const offset = slot * bytes;
        for (let byte = 0; byte < bytes; byte += 1) distance += BYTE_POPCOUNT[((vectors[offset + byte] ?? 0) ^ (query[byte] ?? 0)) & 0xff] ?? 0;
      }
      distances[base + slot] = distance;
      histogram[distance] = (histogram[distance] ?? 0) + 1;
    }
    base += size;
  }
  // The cut: the smallest distance at which `count` slots (or all valid ones) are within reach.
  let cut = 0;
  for (let within = 0; cut < invalid; cut += 1) {
    within += histogram[cut] ?? 0;
    if (within >= count) break;
  }
  const nearer: number[] = [];
  const atCut: number[] = [];
  base = 0;
  for (const [size, , rowids] of chunks) {
    for (let slot = 0; slot < size; slot += 1) {
      const distance = distances[base + slot] ?? invalid;
      if (distance < cut) nearer.push(Number(rowids.readBigInt64LE(slot * 8)));
      else if (distance === cut && distance !== invalid && nearer.length + atCut.length < count) atCut.push(Number(rowids.readBigInt64LE(slot * 8)));
    }
    base += size;
  }
  return [...nearer, ...atCut].slice(0, count);
}

/** A 32-bit view of a blob whose length is a multiple of 4; copied when SQLite's buffer is not 4-aligned. */
function wordsOf(blob: Buffer): Uint32Array {
  if (blob.byteOffset % 4 === 0) return new Uint32Array(blob.buffer, blob.byteOffset, blob.length / 4);
  return new Uint32Array(new Uint8Array(blob).buffer);
}

function checkLayout([size, validity, rowids, vectors]: BitChunkRow, bytes: number): void {
  const expected = Number.isInteger(size) && size > 0 && validity.length === Math.ceil(size / 8) && rowids.length === size * 8 && vectors.length === size * bytes;
  if (!expected) {
    throw mmevolveError(
      'corrupt-memory',
      `a chunk of the sign-bit index is not in the sqlite-vec 0.1 layout two-stage search reads (size ${size}, blobs ${validity.length}/${rowids.length}/${vectors.length} bytes)`,
      'keep sqlite-vec at 0.1.x, or open the store with textSearch.twoStageAbove = Infinity (exact search only)',
    );
  }
}
