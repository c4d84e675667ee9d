import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import { nearestByHamming } from './bit-scan.js';
import type { BitChunkRow } from './bit-scan.js';

/** A chunk as sqlite-vec 0.1 stores it; `null` marks an empty (invalid) slot. */
function chunk(size: number, entries: ({ rowid: number; bits: number[] } | null)[], bytes: number): BitChunkRow {
  const validity = Buffer.alloc(Math.ceil(size / 8));
  const rowids = Buffer.alloc(size * 8);
  const vectors = Buffer.alloc(size * bytes);
  entries.forEach((entry, slot) => {
    if (entry === null) return;
    validity[slot >> 3] = (validity[slot >> 3] ?? 0) | (1 << (slot & 7));
    rowids.writeBigInt64LE(BigInt(entry.rowid), slot * 8);
    Buffer.from(entry.bits).copy(vectors, slot * bytes);
  });
  return [size, validity, rowids, vectors];
}

describe('Hamming scan of sign-bit chunks', () => {
  it('ranks valid slots of every chunk by differing bits and skips empty slots', () => {
    const chunks = [
      chunk(8, [{ rowid: 10, bits: [0b1111_1111] }, null, { rowid: 11, bits: [0b0000_0001] }, { rowid: 12, bits: [0b0000_0111] }], 1),
      chunk(8, [{ rowid: 20, bits: [0b0000_0000] }, { rowid: 21, bits: [0b0011_1111] }], 1),
    ];
    // Query 0b0000_0000: distances 10→8, 11→1, 12→3, 20→0, 21→6; the empty slots (all-zero bits) never count.
    expect(nearestByHamming(chunks, Buffer.from([0]), 3).sort()).toEqual([11, 12, 20]);
    expect(nearestByHamming(chunks, Buffer.from([0]), 1)).toEqual([20]);
    expect(nearestByHamming(chunks, Buffer.from([0]), 50).sort(), 'asking for more gives every valid slot once').toEqual([10, 11, 12, 20, 21]);
  });

  it('counts 32-bit words the same way as bytes for vectors of whole words', () => {
    const bits = (value: number): number[] => [value & 0xff, 0, 0, 0, 0, 0, 0, value >> 8];
    const chunks = [chunk(16, [{ rowid: 1, bits: bits(0x0301) }, { rowid: 2, bits: bits(0xff00) }, { rowid: 3, bits: bits(0x0000) }], 8)];
    const query = Buffer.from(bits(0x0001));
    // Distances: 1 → 2 bits, 2 → 9 bits, 3 → 1 bit.
    expect(nearestByHamming(chunks, query, 2).sort()).toEqual([1, 3]);
    expect(nearestByHamming(chunks, query, 1)).toEqual([3]);
  });

  it('refuses chunks whose blobs are not in the layout it reads', () => {
    const [size, validity, rowids] = chunk(8, [{ rowid: 1, bits: [1] }], 1);
    const error = (() => {
      try {
        return nearestByHamming([[size, validity, rowids, Buffer.alloc(3)]], Buffer.from([0]), 1);
      } catch (caught: unknown) {
        return caught;
      }
    })();
    expect(isMmevolveError(error) ? error.code : error).toBe('corrupt-memory');
  });
});
