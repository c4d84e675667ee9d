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

/**
 * Counts read from one string: `counts[0 .. length)` are valid; `total` is their sum (pixels covered),
 * `area` the sum of the odd-indexed ones (foreground pixels).
 */
export class RleCountsBuffer {
  counts: Int32Array;
  length = 0;
  total = 0;
  area = 0;

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
  let area = 0;
  for (let index = 0; index < length; index += 1) {
    total += counts[index] as number;
    if (index % 2 === 1) area += counts[index] as number;
  }
  into.counts = counts;
  into.length = length;
  into.total = total;
  into.area = area;
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
  let area = 0;
  let characters = 0;
  let signs = 0;
  while (position < end) {
    // The next two characters decide a one- or two-character count without a branch: the shift pair
    // keeps 5 or 10 bits and sign-extends them. A character past the end reads as '0' (no bits).
    const first = text.charCodeAt(position) - 48;
    const second = (position + 1 < end ? text.charCodeAt(position + 1) : 48) - 48;
    characters |= first | second;
    const two = (first >> 5) & 1;
    let value: number;
    if ((second & 0x20 & -two) === 0) {
      const shift = 27 - 5 * two;
      value = (((first & 0x1f) | ((second & 0x1f) << 5)) << shift) >> shift;
      position += 1 + two;
    } else {
      // Three or more characters (long runs): chunk by chunk. Past the end, NaN ends the count and
      // leaves position beyond the end, which the final check reports.
      value = (first & 0x1f) | ((second & 0x1f) << 5);
      position += 2;
      let chunk = second;
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
    }
    // int32 wrap-around of a sum beyond 2^31 − 1 turns negative, so the sign check also catches it.
    if (length > 2) value = (value + beforeLast) | 0;
    signs |= value;
    beforeLast = last;
    last = value;
    counts[length] = value;
    area += value & -(length & 1);
    length += 1;
    total += value;
  }
  if (position !== end || (characters & ~0x3f) !== 0 || signs < 0) rejected(text);
  into.length = length;
  into.total = total;
  into.area = area;
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
    // As readRleCounts, keeping only the sums.
    const first = text.charCodeAt(position) - 48;
    const second = (position + 1 < end ? text.charCodeAt(position + 1) : 48) - 48;
    characters |= first | second;
    const two = (first >> 5) & 1;
    let value: number;
    if ((second & 0x20 & -two) === 0) {
      const shift = 27 - 5 * two;
      value = (((first & 0x1f) | ((second & 0x1f) << 5)) << shift) >> shift;
      position += 1 + two;
    } else {
      value = (first & 0x1f) | ((second & 0x1f) << 5);
      position += 2;
      let chunk = second;
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
    }
    if (length > 2) value = (value + beforeLast) | 0;
    signs |= value;
    beforeLast = last;
    last = value;
    area += value & -(length & 1);
    length += 1;
    total += value;
  }
  if (position !== end || (characters & ~0x3f) !== 0 || signs < 0) rejected(text);
  return { area, total };
}

function areaOfCounts({ area, total }: RleCountsBuffer): RleAreaReading {
  return { area, total };
}

/**
 * Intersection and union of two run-length lists covering the same pixels. Only the runs of ones are
 * walked, as pixel intervals, advancing whichever ends first (half the steps of pycocotools rleIou's
 * walk over every run); the union is then area A + area B − intersection. Empty runs are harmless.
 */
export function countsIntersectionUnion(a: RleCountsBuffer, b: RleCountsBuffer): { intersection: number; union: number } {
  const countsA = a.counts;
  const countsB = b.counts;
  const lengthA = a.length;
  const lengthB = b.length;
  // Run index (odd: a run of ones) and pixel interval [start, end) of the current run of ones on each side.
  let indexA = 1;
  let indexB = 1;
  let startA = lengthA > 0 ? (countsA[0] as number) : 0;
  let endA = lengthA > 1 ? startA + (countsA[1] as number) : startA;
  let startB = lengthB > 0 ? (countsB[0] as number) : 0;
  let endB = lengthB > 1 ? startB + (countsB[1] as number) : startB;
  let intersection = 0;
  while (indexA < lengthA && indexB < lengthB) {
    const low = startA > startB ? startA : startB;
    const high = endA < endB ? endA : endB;
    if (high > low) intersection += high - low;
    if (endA < endB) {
      indexA += 2;
      if (indexA < lengthA) {
        startA = endA + (countsA[indexA - 1] as number);
        endA = startA + (countsA[indexA] as number);
      }
    } else {
      indexB += 2;
      if (indexB < lengthB) {
        startB = endB + (countsB[indexB - 1] as number);
        endB = startB + (countsB[indexB] as number);
      }
    }
  }
  return { intersection, union: a.area + b.area - intersection };
}
