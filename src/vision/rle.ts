import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import type { Box, Mask } from '../core/index.js';
import { writeRleRuns } from './rle-counts.js';
import { checkOutput, coverageError, decodeCountsInto } from './rle-decode.js';
import { RleCountsBuffer, countsIntersectionUnion, readRleArea, readRleCounts } from './rle-read.js';
import { RleStringWriter, rleCountsFromString, rleCountsToString } from './rle-string.js';

export { rleCountsFromString, rleCountsToString };

/**
 * COCO run-length encoding exactly as pycocotools (maskApi.c): `size` is [height, width], `counts` the
 * compressed string of column-major run lengths starting with zeros. Area, box, intersection/union
 * and merge work on the run lengths, never on pixels.
 */
export interface CocoRle {
  size: [height: number, width: number];
  counts: string;
}

/** Validates a COCO RLE from outside (prediction files, segmenter responses). */
export const cocoRleSchema = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.string(),
});

export function encodeRle(mask: Mask): CocoRle {
  const writer = new RleStringWriter();
  writeRleRuns(mask, writer);
  return { size: [mask.height, mask.width], counts: writer.finish() };
}

function checkSize(rle: CocoRle): void {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw mmevolveError('invalid-rle', `COCO RLE size ${JSON.stringify(rle.size)} is not [height, width]`, 'size holds two non-negative integers');
  }
}

function checkCoverage(rle: CocoRle, sum: number): void {
  const [height, width] = rle.size;
  if (sum !== height * width) throw coverageError(sum, height, width);
}

// Two count buffers reused by every call (IoU reads two strings at once); never returned to callers.
const firstCounts = new RleCountsBuffer();
const secondCounts = new RleCountsBuffer();

/** The counts of a size-checked RLE read into a reused buffer, checked to cover height × width pixels. */
function countsOf(rle: CocoRle, into: RleCountsBuffer = firstCounts): RleCountsBuffer {
  checkSize(rle);
  const read = readRleCounts(rle.counts, into);
  checkCoverage(rle, read.total);
  return read;
}

/** Run lengths of an RLE, checked to cover exactly height × width pixels ('invalid-rle' otherwise). */
export function rleCounts(rle: CocoRle): number[] {
  checkSize(rle);
  const counts = rleCountsFromString(rle.counts);
  let sum = 0;
  for (const count of counts) sum += count;
  checkCoverage(rle, sum);
  return counts;
}

/** The row-major 0/1 mask of an RLE, in a new buffer. */
export function decodeRle(rle: CocoRle): Mask {
  const [height, width] = rle.size;
  const { counts, length } = countsOf(rle);
  // Every byte is written by the decoder, so the buffer need not be zeroed first.
  const total = height * width;
  const data = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
  decodeCountsInto(counts, length, width, height, data);
  return { width, height, data };
}

/**
 * The mask of an RLE written into `out`, a caller's buffer of exactly height × width bytes reused across
 * calls (every byte is overwritten): decoding many masks this way allocates nothing. Returns a Mask
 * viewing `out`.
 */
export function decodeRleInto(rle: CocoRle, out: Uint8Array): Mask {
  checkSize(rle);
  const [height, width] = rle.size;
  checkOutput(out, width, height);
  const { counts, length } = countsOf(rle);
  decodeCountsInto(counts, length, width, height, out);
  return { width, height, data: out };
}

/** Builds an RLE from run lengths (e.g. the uncompressed form COCO uses for crowd annotations). */
export function rleFromCounts(counts: ArrayLike<number>, height: number, width: number): CocoRle {
  const rle: CocoRle = { size: [height, width], counts: rleCountsToString(counts) };
  rleCounts(rle);
  return rle;
}

/** Foreground pixels, read while parsing the string: no counts are stored. */
export function rleArea(rle: CocoRle): number {
  checkSize(rle);
  const { area, total } = readRleArea(rle.counts);
  checkCoverage(rle, total);
  return area;
}

/**
 * Pixel-edge box [x1, y1, x2, y2] of the foreground (x2, y2 exclusive), or null when empty.
 * Same extent as pycocotools toBbox (which reports [x, y, w, h]); a run crossing a column boundary
 * spans every row.
 */
export function rleBox(rle: CocoRle): Box | null {
  const height = rle.size[0];
  const { counts, length: countTotal } = countsOf(rle);
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = -1;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = -1;
  let position = 0;
  for (let index = 0; index < countTotal; index += 1) {
    const length = counts[index] as number;
    if (index % 2 === 1 && length > 0) {
      const last = position + length - 1;
      const startColumn = Math.floor(position / height);
      const endColumn = Math.floor(last / height);
      xMin = Math.min(xMin, startColumn);
      xMax = Math.max(xMax, endColumn);
      if (startColumn !== endColumn) {
        yMin = 0;
        yMax = height - 1;
      } else {
        yMin = Math.min(yMin, position - startColumn * height);
        yMax = Math.max(yMax, last - endColumn * height);
      }
    }
    position += length;
  }
  if (xMax < 0) return null;
  return [xMin, yMin, xMax + 1, yMax + 1];
}

function checkSameSize(a: CocoRle, b: CocoRle): void {
  if (a.size[0] !== b.size[0] || a.size[1] !== b.size[1]) {
    throw mmevolveError(
      'size-mismatch',
      `COCO RLE sizes differ: ${a.size[0]}x${a.size[1]} vs ${b.size[0]}x${b.size[1]} (height x width)`,
      'resize or re-encode the masks at the same image size before comparing them',
    );
  }
}

/**
 * Walks two run-length lists together (pycocotools rleMerge's loop) and emits the runs of
 * `combine(a, b)`, merging adjacent runs of equal value.
 */
function combineCounts(a: number[], b: number[], combine: (va: number, vb: number) => number): number[] {
  const output: number[] = [];
  let indexA = 0;
  let indexB = 0;
  let remainingA = a[0] ?? 0;
  let remainingB = b[0] ?? 0;
  let valueA = 0;
  let valueB = 0;
  let current = 0;
  let runLength = 0;
  for (;;) {
    // Skip exhausted runs (including empty ones) so both sides point at a run with pixels left.
    while (remainingA === 0 && indexA + 1 < a.length) {
      indexA += 1;
      remainingA = a[indexA] as number;
      valueA ^= 1;
    }
    while (remainingB === 0 && indexB + 1 < b.length) {
      indexB += 1;
      remainingB = b[indexB] as number;
      valueB ^= 1;
    }
    if (remainingA === 0 || remainingB === 0) break;
    const step = Math.min(remainingA, remainingB);
    const value = combine(valueA, valueB);
    if (value !== current) {
      output.push(runLength);
      runLength = 0;
      current = value;
    }
    runLength += step;
    remainingA -= step;
    remainingB -= step;
  }
  output.push(runLength);
  return output;
}

/**
 * Intersection and union pixel counts of two RLEs of the same size, computed on runs (pycocotools
 * rleIou's merge walk) over counts read into two reused buffers; no mask is decoded.
 */
export function rleIntersectionUnion(a: CocoRle, b: CocoRle): { intersection: number; union: number } {
  checkSameSize(a, b);
  return countsIntersectionUnion(countsOf(a, firstCounts), countsOf(b, secondCounts));
}

/**
 * Intersection over union of two RLEs. Returns 0 when the union is empty (two empty masks), like
 * pycocotools; scoring (gIoU/cIoU with ignore pixels and "empty vs empty = 1") lives in eval, not here.
 */
export function rleIou(a: CocoRle, b: CocoRle): number {
  const { intersection, union } = rleIntersectionUnion(a, b);
  return union === 0 ? 0 : intersection / union;
}

/**
 * Union (OR) of instance masks, computed on runs. A single RLE is returned unchanged (as pycocotools
 * merge does); the result of two or more has canonical runs. Throws 'size-mismatch' on differing
 * sizes and 'invalid-input' for an empty list (the size would be unknown).
 */
export function rleMerge(rles: CocoRle[]): CocoRle {
  const first = rles[0];
  if (first === undefined) {
    throw mmevolveError('invalid-input', 'cannot merge an empty list of COCO RLEs', 'pass at least one mask, or create an empty mask of the image size');
  }
  if (rles.length === 1) return { size: [first.size[0], first.size[1]], counts: first.counts };
  let merged = rleCounts(first);
  for (const rle of rles.slice(1)) {
    checkSameSize(first, rle);
    merged = combineCounts(merged, rleCounts(rle), (valueA, valueB) => valueA | valueB);
  }
  return { size: [first.size[0], first.size[1]], counts: rleCountsToString(merged) };
}
