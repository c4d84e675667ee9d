/** Float32 vectors as SQLite blobs (little-endian, the layout sqlite-vec reads), and their checks. */
import { mmevolveError } from '../../core/index.js';

export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** Copies: a Buffer from SQLite may sit at an offset that Float32Array cannot view directly. */
export function blobToVector(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

/**
 * Refuses vectors the index cannot rank: wrong size (another embedding model), non-finite values, or all
 * zeros (cosine is undefined for them).
 */
export function checkVector(vector: Float32Array, dimensions: number, model: string, what: string): void {
  if (!(vector instanceof Float32Array)) {
    throw mmevolveError('invalid-input', `${what} must be a Float32Array`, 'pass the embedder output unchanged');
  }
  if (vector.length !== dimensions) {
    throw mmevolveError(
      'embedding-mismatch',
      `${what} has ${vector.length} dimensions but this memory workspace stores ${dimensions} (${model})`,
      'embed with the workspace model, or use another --db; to move lessons between models export and import with re-embedding',
    );
  }
  let squared = 0;
  for (const value of vector) {
    if (!Number.isFinite(value)) {
      throw mmevolveError('invalid-input', `${what} contains a non-finite value`, 'check the embedder output');
    }
    squared += value * value;
  }
  if (squared === 0) {
    throw mmevolveError('invalid-input', `${what} is all zeros`, 'an empty text or image has no usable embedding');
  }
}

/** A unit-length copy: the indexes store and query these (see schema.ts for why L2 on unit vectors). */
export function unitVector(vector: Float32Array): Float32Array {
  let squared = 0;
  for (let index = 0; index < vector.length; index += 1) squared += (vector[index] as number) ** 2;
  const norm = Math.sqrt(squared);
  // A plain loop: map() with a callback per element was a visible share of a bulk import.
  const unit = new Float32Array(vector.length);
  for (let index = 0; index < vector.length; index += 1) unit[index] = (vector[index] as number) / norm;
  return unit;
}

/**
 * One bit per dimension, set when the value is positive (sqlite-vec's vec_quantize_binary rule, bit i in
 * byte i >> 3 at position i & 7), padded with zero bits to whole bytes. The sign of a unit copy is the
 * sign of the vector as given, so either may be passed.
 */
export function signBits(vector: Float32Array): Buffer {
  const bits = Buffer.alloc(signBitCount(vector.length) / 8);
  vector.forEach((value, index) => {
    if (value > 0) bits[index >> 3] = (bits[index >> 3] ?? 0) | (1 << (index & 7));
  });
  return bits;
}

/** Bits of a sign-bit copy: the dimensions rounded up to whole bytes (vec0 bit columns take multiples of 8). */
export function signBitCount(dimensions: number): number {
  return Math.ceil(dimensions / 8) * 8;
}

/** Cosine similarity from the L2 distance of two unit vectors: |a − b|² = 2 − 2 cos. */
export function cosineFromUnitDistance(distance: number): number {
  return 1 - (distance * distance) / 2;
}

export function isZeroVector(vector: Float32Array): boolean {
  return vector.every((value) => value === 0);
}
