import { mmevolveError } from '../core/index.js';

/**
 * The compressed COCO RLE string, byte for byte as pycocotools maskApi.c rleToString/rleFrString:
 * each count (for i > 2 the delta counts[i] − counts[i−2]) is written in 5-bit chunks, least
 * significant first; bit 0x20 of a chunk says "more chunks follow"; the last chunk's bit 0x10 is the
 * sign; every chunk is written as the character chunk + 48 ('0' … 'o').
 */

const CHUNK_MASK = 0x1f;
const CONTINUE_BIT = 0x20;
const SIGN_BIT = 0x10;
const CHARACTER_OFFSET = 48;
/** A delta needs at most 7 chunks for 32-bit counts; allow a little more, never beyond exact float64. */
const MAX_CHUNKS = 10;

/** Encodes run lengths (alternating 0/1 runs, starting with zeros) into the pycocotools string. */
export function rleCountsToString(counts: ArrayLike<number>): string {
  const bytes = Buffer.allocUnsafe(counts.length * 8 + 1);
  let length = 0;
  for (let index = 0; index < counts.length; index += 1) {
    let value = counts[index] as number;
    if (index > 2) value -= counts[index - 2] as number;
    let more = true;
    while (more) {
      // Floor division is the arithmetic shift `x >>= 5` of maskApi.c without the 32-bit limit of `>>`.
      const chunk = value - Math.floor(value / 32) * 32;
      value = Math.floor(value / 32);
      more = chunk & SIGN_BIT ? value !== -1 : value !== 0;
      bytes[length] = (more ? chunk | CONTINUE_BIT : chunk) + CHARACTER_OFFSET;
      length += 1;
    }
  }
  return bytes.toString('latin1', 0, length);
}

function malformed(detail: string): Error {
  return mmevolveError(
    'invalid-rle',
    `malformed COCO RLE string: ${detail}`,
    'pass the compressed "counts" string exactly as pycocotools mask.encode wrote it (characters 0..o)',
  );
}

/** Decodes the pycocotools string into run lengths; throws 'invalid-rle' on a malformed string. */
export function rleCountsFromString(text: string): number[] {
  const counts: number[] = [];
  let position = 0;
  while (position < text.length) {
    let value = 0;
    let chunkIndex = 0;
    let more = true;
    while (more) {
      if (position >= text.length) throw malformed(`the last count is cut off at character ${position}`);
      const chunk = text.charCodeAt(position) - CHARACTER_OFFSET;
      if (chunk < 0 || chunk > 0x3f) {
        throw malformed(`character ${JSON.stringify(text[position])} at ${position} is outside '0'..'o'`);
      }
      value += (chunk & CHUNK_MASK) * 2 ** (5 * chunkIndex);
      more = (chunk & CONTINUE_BIT) !== 0;
      position += 1;
      chunkIndex += 1;
      if (chunkIndex > MAX_CHUNKS) throw malformed(`a count at character ${position} is longer than ${MAX_CHUNKS} chunks`);
      // Sign-extend from bit 0x10 of the last chunk (maskApi.c: x |= -1 << 5*k).
      if (!more && chunk & SIGN_BIT) value -= 2 ** (5 * chunkIndex);
    }
    if (counts.length > 2) value += counts[counts.length - 2] as number;
    if (value < 0) throw malformed(`count ${counts.length} decodes to a negative run length ${value}`);
    counts.push(value);
  }
  return counts;
}
