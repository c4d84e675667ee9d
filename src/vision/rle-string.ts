import { mmevolveError } from '../core/index.js';

/**
 * The compressed COCO RLE string, byte for byte as pycocotools maskApi.c rleToString/rleFrString:
 * each count (for i > 2 the delta counts[i] − counts[i−2]) is written in 5-bit chunks, least
 * significant first; bit 0x20 of a chunk says "more chunks follow"; the last chunk's bit 0x10 is the
 * sign; every chunk is written as the character chunk + 48 ('0' … 'o').
 *
 * Writing streams counts as characters straight into one reused byte buffer, without per-run
 * allocation. The reader here is the careful one, checking every character as it goes: it serves
 * rleCountsFromString, counts beyond ±2^29, and wording the error when the fast readers of
 * rle-read.ts (area, IoU, decode) reject a string.
 */

const CHUNK_MASK = 0x1f;
const CONTINUE_BIT = 0x20;
const SIGN_BIT = 0x10;
const CHARACTER_OFFSET = 48;
/** A delta needs at most 7 chunks for 32-bit counts; allow a little more, never beyond exact float64. */
const MAX_CHUNKS = 10;
const CHUNK_SCALE = Array.from({ length: MAX_CHUNKS + 1 }, (_, index) => 2 ** (5 * index));

function malformed(detail: string): Error {
  return mmevolveError(
    'invalid-rle',
    `malformed COCO RLE string: ${detail}`,
    'pass the compressed "counts" string exactly as pycocotools mask.encode wrote it (characters 0..o)',
  );
}


/**
 * Decodes the whole string into `target` (grown when too small), checking each character and count
 * (throws 'invalid-rle' with the position of the fault), and returns the array holding the counts
 * with their number.
 */
export function parseRleString(text: string, target: Int32Array): { counts: Int32Array; length: number } {
  const counts = target.length >= text.length ? target : new Int32Array(Math.max(text.length, target.length * 2));
  let length = 0;
  let position = 0;
  const end = text.length;
  while (position < end) {
    // Up to six chunks (30 bits) accumulate in int32 arithmetic; longer counts take the exact path.
    // Literals, not the module constants: module-scope bindings cost a hole check per use in this loop.
    let value = 0;
    let chunkIndex = 0;
    let chunk = 0x20;
    while ((chunk & 0x20) !== 0 && chunkIndex < 6) {
      if (position >= end) throw malformed(`the last count is cut off at character ${position}`);
      chunk = text.charCodeAt(position) - 48;
      if (chunk < 0 || chunk > 0x3f) throw malformed(`character ${JSON.stringify(text[position])} at ${position} is outside '0'..'o'`);
      value |= (chunk & 0x1f) << (5 * chunkIndex);
      position += 1;
      chunkIndex += 1;
    }
    if ((chunk & 0x20) !== 0) {
      const long = readLongCount(text, position, value);
      value = long.value;
      position = long.position;
    } else if ((chunk & 0x10) !== 0) {
      value |= -1 << (5 * chunkIndex);
    }
    if (length > 2) value += counts[length - 2] as number;
    if (value < 0) throw malformed(`count ${length} decodes to a negative run length ${value}`);
    if (value > 0x7fffffff) throw malformed(`count ${length} is ${value}, beyond 2^31 − 1 pixels`);
    counts[length] = value;
    length += 1;
  }
  return { counts, length };
}

/** Chunks seven and on of a count (deltas beyond ±2^29), in exact float arithmetic. */
function readLongCount(text: string, start: number, low: number): { value: number; position: number } {
  let value = low;
  let position = start;
  let chunkIndex = 6;
  let chunk = CONTINUE_BIT;
  while ((chunk & CONTINUE_BIT) !== 0) {
    if (position >= text.length) throw malformed(`the last count is cut off at character ${position}`);
    chunk = text.charCodeAt(position) - CHARACTER_OFFSET;
    if (chunk < 0 || chunk > 0x3f) throw malformed(`character ${JSON.stringify(text[position])} at ${position} is outside '0'..'o'`);
    value += (chunk & CHUNK_MASK) * (CHUNK_SCALE[chunkIndex] as number);
    position += 1;
    chunkIndex += 1;
    if (chunkIndex > MAX_CHUNKS) throw malformed(`a count at character ${position} is longer than ${MAX_CHUNKS} chunks`);
  }
  if ((chunk & SIGN_BIT) !== 0) value -= CHUNK_SCALE[chunkIndex] as number;
  return { value, position };
}

let scratch = Buffer.allocUnsafe(1 << 16);

/** Writes counts into the pycocotools string through one buffer reused across calls. */
export class RleStringWriter {
  private length = 0;
  private beforeLast = 0;
  private last = 0;
  private index = 0;

  constructor(expectedCounts = 0) {
    if (scratch.length < expectedCounts * 2 + 16) scratch = Buffer.allocUnsafe(expectedCounts * 2 + 16);
  }

  push(count: number): void {
    let value = this.index > 2 ? count - this.beforeLast : count;
    this.beforeLast = this.last;
    this.last = count;
    this.index += 1;
    if (scratch.length - this.length < 10) {
      const grown = Buffer.allocUnsafe(scratch.length * 2);
      scratch.copy(grown, 0, 0, this.length);
      scratch = grown;
    }
    let length = this.length;
    if (value < 0x40000000 && value > -0x40000000) {
      for (;;) {
        const chunk = value & 0x1f;
        value >>= 5;
        const more = (chunk & 0x10) !== 0 ? value !== -1 : value !== 0;
        scratch[length] = (more ? chunk | 0x20 : chunk) + 48;
        length += 1;
        if (!more) break;
      }
    } else {
      let more = true;
      while (more) {
        // Floor division is the arithmetic shift `x >>= 5` of maskApi.c without the 32-bit limit of `>>`.
        const chunk = value - Math.floor(value / 32) * 32;
        value = Math.floor(value / 32);
        more = chunk & 0x10 ? value !== -1 : value !== 0;
        scratch[length] = (more ? chunk | 0x20 : chunk) + 48;
        length += 1;
      }
    }
    this.length = length;
  }

  /** The string written so far; the writer must not be used after this (the buffer is shared). */
  finish(): string {
    return scratch.toString('latin1', 0, this.length);
  }
}

/** Encodes run lengths (alternating 0/1 runs, starting with zeros) into the pycocotools string. */
export function rleCountsToString(counts: ArrayLike<number>): string {
  const writer = new RleStringWriter(counts.length);
  for (let index = 0; index < counts.length; index += 1) writer.push(counts[index] as number);
  return writer.finish();
}

/** Decodes the pycocotools string into run lengths; throws 'invalid-rle' on a malformed string. */
export function rleCountsFromString(text: string): number[] {
  const { counts, length } = parseRleString(text, new Int32Array(text.length));
  return Array.from(counts.subarray(0, length));
}
