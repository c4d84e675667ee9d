import { mmevolveError } from '../core/index.js';
import { parseRleString } from './rle-string.js';

/**
 * The fast readers of the compressed COCO counts string (format: rle-string.ts). They read the string
 * once, character by character, with the delta-from-two-back rule applied on the fly, and either keep
 * the counts in an int32 array the caller reuses (`readRleCounts`) or keep nothing but sums
 * (`readRleArea`): no per-run object and no allocation once the scratch arrays have grown.
 *
 * Validation is folded into the loop as cheap accumulators (every character OR-ed together, every count
 * OR-ed together for its sign, the final position) so the common path has no data-dependent checks; when
 * one of them fails, the careful parser re-reads the string to throw the exact 'invalid-rle' message.
 * Strings with a delta beyond ±2^29 (seven or more chunks; masks beyond half a billion pixels) take the
 * careful parser's exact float path.
 */

/** Counts read from one string: `counts[0 .. length)` are valid; `total` is their sum (pixels covered). */
export class RleCountsBuffer {
  counts: Int32Array;
  length = 0;
  total = 0;

  constructor(capacity = 1 << 14) {
    this.counts = new Int32Array(capacity);
  }
}

/** Re-reads a string the fast reader rejected with the careful parser, which throws the precise error. */
function rejected(text: string): never {
  parseRleString(text, new Int32Array(text.length));
  throw mmevolveError('invalid-rle', 'malformed COCO RLE string', 'pass the compressed "counts" string exactly as pycocotools mask.encode wrote it');
}

/** The careful parser's result copied into `into` (strings with seven-chunk deltas only). */
function readCarefully(text: string, into: RleCountsBuffer): RleCountsBuffer {
  const { counts, length } = parseRleString(text, into.counts);
  let total = 0;
  for (let index = 0; index < length; index += 1) total += counts[index] as number;
  into.counts = counts;
  into.length = length;
  into.total = total;
  return into;
}

/** Reads every count of `text` into `into` (its array grown when too small) and returns it. */
export function readRleCounts(text: string, into: RleCountsBuffer): RleCountsBuffer {
  const end = text.length;
  // A count takes at least one character, so `end` counts always fit.
  if (into.counts.length < end) into.counts = new Int32Array(Math.max(end, into.counts.length * 2));
  const counts = into.counts;
  let position = 0;
  let length = 0;
  let beforeLast = 0;
  let last = 0;
  let total = 0;
  let characters = 0;
  let signs = 0;
  while (position < end) {
    // Reading past the end yields NaN, which ends the count (NaN & 0x20 is 0) and leaves position > end.
    let chunk = text.charCodeAt(position) - 48;
    position += 1;
    characters |= chunk;
    let value = chunk & 0x1f;
    if ((chunk & 0x20) !== 0) {
      chunk = text.charCodeAt(position) - 48;
      position += 1;
      characters |= chunk;
      value |= (chunk & 0x1f) << 5;
      let shift = 10;
      while ((chunk & 0x20) !== 0 && shift < 30) {
        chunk = text.charCodeAt(position) - 48;
        position += 1;
        characters |= chunk;
        value |= (chunk & 0x1f) << shift;
        shift += 5;
      }
      if ((chunk & 0x20) !== 0) return readCarefully(text, into);
      if ((chunk & 0x10) !== 0) value |= -1 << shift;
    } else if ((chunk & 0x10) !== 0) {
      value |= -32;
    }
    // int32 wrap-around of a sum beyond 2^31 − 1 turns negative, so the sign check also catches it.
    if (length > 2) value = (value + beforeLast) | 0;
    signs |= value;
    beforeLast = last;
    last = value;
    counts[length] = value;
    length += 1;
    total += value;
  }
  if (position !== end || (characters & ~0x3f) !== 0 || signs < 0) rejected(text);
  into.length = length;
  into.total = total;
  return into;
}

/** Foreground pixels and pixels covered, read from the string without keeping any count. */
export interface RleAreaReading {
  area: number;
  total: number;
}

const scratchCounts = new RleCountsBuffer();

/** The area (sum of the odd-indexed counts) and total of `text`, streamed: nothing is stored per run. */
export function readRleArea(text: string): RleAreaReading {
  const end = text.length;
  let position = 0;
  let length = 0;
  let beforeLast = 0;
  let last = 0;
  let total = 0;
  let area = 0;
  let characters = 0;
  let signs = 0;
  while (position < end) {
    let chunk = text.charCodeAt(position) - 48;
    position += 1;
    characters |= chunk;
    let value = chunk & 0x1f;
    if ((chunk & 0x20) !== 0) {
      chunk = text.charCodeAt(position) - 48;
      position += 1;
      characters |= chunk;
      value |= (chunk & 0x1f) << 5;
      let shift = 10;
      while ((chunk & 0x20) !== 0 && shift < 30) {
        chunk = text.charCodeAt(position) - 48;
        position += 1;
        characters |= chunk;
        value |= (chunk & 0x1f) << shift;
        shift += 5;
      }
      if ((chunk & 0x20) !== 0) return areaOfCounts(readCarefully(text, scratchCounts));
      if ((chunk & 0x10) !== 0) value |= -1 << shift;
    } else if ((chunk & 0x10) !== 0) {
      value |= -32;
    }
    if (length > 2) value = (value + beforeLast) | 0;
    signs |= value;
    beforeLast = last;
    last = value;
    if ((length & 1) === 1) area += value;
    length += 1;
    total += value;
  }
  if (position !== end || (characters & ~0x3f) !== 0 || signs < 0) rejected(text);
  return { area, total };
}

function areaOfCounts({ counts, length, total }: RleCountsBuffer): RleAreaReading {
  let area = 0;
  for (let index = 1; index < length; index += 2) area += counts[index] as number;
  return { area, total };
}

/**
 * Intersection and union of two run-length lists covering the same pixels: pycocotools rleIou's merge
 * walk, skipping empty runs, over counts already read into reused buffers.
 */
export function countsIntersectionUnion(a: RleCountsBuffer, b: RleCountsBuffer): { intersection: number; union: number } {
  const countsA = a.counts;
  const countsB = b.counts;
  const lengthA = a.length;
  const lengthB = b.length;
  let intersection = 0;
  let union = 0;
  let indexA = 0;
  let indexB = 0;
  let remainingA = lengthA > 0 ? (countsA[0] as number) : 0;
  let remainingB = lengthB > 0 ? (countsB[0] as number) : 0;
  let valueA = 0;
  let valueB = 0;
  for (;;) {
    while (remainingA === 0 && indexA + 1 < lengthA) {
      indexA += 1;
      remainingA = countsA[indexA] as number;
      valueA ^= 1;
    }
    while (remainingB === 0 && indexB + 1 < lengthB) {
      indexB += 1;
      remainingB = countsB[indexB] as number;
      valueB ^= 1;
    }
    if (remainingA === 0 || remainingB === 0) break;
    const step = remainingA < remainingB ? remainingA : remainingB;
    if ((valueA & valueB) !== 0) intersection += step;
    if ((valueA | valueB) !== 0) union += step;
    remainingA -= step;
    remainingB -= step;
  }
  return { intersection, union };
}
