import { randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateInto } from './inflate-into.js';

/** Compressible bytes: runs of random lengths and values, like image rows. */
function sample(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; ) {
    state = (state * 1103515245 + 12345) >>> 0;
    const run = 1 + (state % 200);
    bytes.fill(state >>> 24, index, Math.min(length, index + run));
    index += run;
  }
  return bytes;
}

describe('inflateInto', () => {
  it('writes exactly what inflateSync returns, into one buffer reused across streams and levels', () => {
    const output = Buffer.alloc(1 << 20);
    for (const [length, level] of [[921_601, 6], [1000, 1], [500_000, 9], [1, 0], [300_000, 3]] as const) {
      const data = Buffer.concat([sample(length - Math.min(length, 64), length), randomBytes(Math.min(length, 64))]);
      const compressed = deflateSync(data, { level });
      const written = inflateInto(compressed, output);
      expect(written, `length ${length} level ${level}`).toBe(data.length);
      expect(output.subarray(0, written).equals(inflateSync(compressed)), `length ${length} level ${level}`).toBe(true);
    }
  });

  it('answers undefined for truncated, corrupt, trailing-data or too-long streams, and keeps working after them', async () => {
    const data = sample(200_000, 7);
    const compressed = deflateSync(data);
    const corrupt = Buffer.from(compressed);
    corrupt[compressed.length >> 1] = (corrupt[compressed.length >> 1] ?? 0) ^ 0xff;
    const output = Buffer.alloc(data.length + 1);
    expect(inflateInto(compressed.subarray(0, compressed.length - 3), output), 'truncated').toBeUndefined();
    expect(inflateInto(corrupt, output), 'corrupt').toBeUndefined();
    expect(inflateInto(Buffer.concat([compressed, Buffer.from('xyz')]), output), 'trailing bytes').toBeUndefined();
    expect(inflateInto(compressed, output.subarray(0, data.length)), 'output just too short').toBeUndefined();
    // zlib errors surface on a later tick as stream events: none may escape as an uncaught error.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(inflateInto(compressed, output)).toBe(data.length);
    expect(output.subarray(0, data.length).equals(data)).toBe(true);
  });
});
