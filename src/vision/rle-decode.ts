import { mmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';

/**
 * COCO-order run lengths (column-major, alternating 0/1 runs starting with zeros) → a row-major 0/1
 * mask, as pycocotools maskApi.c rleDecode but for our row-major masks.
 *
 * Visiting pixels in column order would stride across the whole buffer, so decoding works on run
 * boundaries instead: one pass over the counts writes row 0 directly (the value at the top of each
 * column) and collects every boundary that falls inside a column as (row, column); a counting sort
 * groups them by row; then each row is copied from the one above and the pixels where a run starts
 * or ends are toggled. Each byte of the output is written once, in order; stretches of rows without a
 * boundary are filled by a few doubling copies. Working memory is typed arrays reused across calls.
 */

/** Int32 positions keep the hot loops in small integers; no mask comes near 2^31 pixels. */
export const MAX_RLE_PIXELS = 2 ** 31 - 1;

let eventRows: Int32Array = new Int32Array(1 << 14);
let eventColumns: Int32Array = new Int32Array(1 << 14);
let sortedColumns: Int32Array = new Int32Array(1 << 14);
let rowStarts: Int32Array = new Int32Array(1 << 10);
let copiedCounts: Int32Array = new Int32Array(1 << 14);
let cursorScratch: Int32Array = new Int32Array(1 << 10);

function grown(array: Int32Array, needed: number): Int32Array {
  if (array.length >= needed) return array;
  return new Int32Array(Math.max(needed, array.length * 2));
}

function checkPixelCount(total: number): void {
  if (total > MAX_RLE_PIXELS) {
    throw mmevolveError('invalid-input', `a mask of ${total} pixels is larger than COCO RLE handling supports (${MAX_RLE_PIXELS})`, 'split or downscale the image');
  }
}

export function coverageError(covered: number, height: number, width: number): Error {
  return mmevolveError(
    'invalid-rle',
    `COCO RLE counts cover ${covered} pixels but size ${height}x${width} has ${height * width}`,
    'check that size is [height, width] (not [width, height]) and that counts belong to this mask',
  );
}

/** Throws 'invalid-input' unless `out` holds exactly width × height bytes. */
export function checkOutput(out: Uint8Array, width: number, height: number): void {
  if (out.length !== width * height) {
    throw mmevolveError(
      'invalid-input',
      `the output buffer holds ${out.length} bytes but a ${height}x${width} mask needs ${width * height}`,
      'pass a Uint8Array of exactly width × height bytes (e.g. new Uint8Array(width * height), reused across calls)',
    );
  }
}

/**
 * Writes the mask of `counts[0 .. length)` into `out` (row-major, width × height bytes, every byte
 * overwritten). The caller has checked that the counts are non-negative and sum to width × height.
 * Three small passes, each its own function so that its hot loop keeps its values in registers.
 */
export function decodeCountsInto(counts: Int32Array, length: number, width: number, height: number, out: Uint8Array): void {
  const total = width * height;
  checkPixelCount(total);
  if (total === 0) return;
  rowStarts = grown(rowStarts, height + 1);
  // At most one boundary per count.
  eventRows = grown(eventRows, length);
  eventColumns = grown(eventColumns, length);
  const events = collectBoundaries(counts, length, height, out, rowStarts, eventRows, eventColumns);
  sortedColumns = grown(sortedColumns, events);
  sortByRow(events, height, rowStarts, eventRows, eventColumns, sortedColumns);
  buildRows(out, width, height, rowStarts, sortedColumns);
}

/**
 * Writes row 0 (the value at the top of each column) and records every boundary inside a column as
 * (row, column), counting them per row in `starts[row + 1]`. Returns the number of boundaries.
 */
function collectBoundaries(counts: Int32Array, length: number, height: number, out: Uint8Array, starts: Int32Array, rows: Int32Array, columns: Int32Array): number {
  starts.fill(0, 0, height + 1);
  let x = 0;
  let y = 0;
  let value = 0;
  let events = 0;
  const lastIndex = length - 1;
  for (let index = 0; index < length; index += 1) {
    const count = counts[index] as number;
    if (count > 0) {
      if (y === 0) out[x] = value;
      y += count;
      if (y >= height) {
        // The run reaches into later columns: the top of every column that starts inside it takes its value.
        const crossed = (y / height) | 0;
        y -= crossed * height;
        const lastTop = y === 0 ? x + crossed - 1 : x + crossed;
        for (let column = x + 1; column <= lastTop; column += 1) out[column] = value;
        x += crossed;
      }
    }
    value ^= 1;
    // A boundary inside a column toggles that pixel row; empty runs give two boundaries that cancel.
    if (y !== 0 && index < lastIndex) {
      rows[events] = y;
      columns[events] = x;
      starts[y + 1] = (starts[y + 1] as number) + 1;
      events += 1;
    }
  }
  return events;
}

/** Counting sort of the boundaries by row: afterwards row r's columns are sorted[starts[r] .. starts[r + 1]). */
function sortByRow(events: number, height: number, starts: Int32Array, rows: Int32Array, columns: Int32Array, sorted: Int32Array): void {
  for (let row = 0; row < height; row += 1) starts[row + 1] = (starts[row + 1] as number) + (starts[row] as number);
  const cursor = (cursorScratch = grown(cursorScratch, height));
  cursor.set(starts.subarray(0, height));
  for (let event = 0; event < events; event += 1) {
    const row = rows[event] as number;
    const slot = cursor[row] as number;
    sorted[slot] = columns[event] as number;
    cursor[row] = slot + 1;
  }
}

/** Rows 1 on: each a copy of the row above with its boundary pixels toggled. */
function buildRows(out: Uint8Array, width: number, height: number, starts: Int32Array, sorted: Int32Array): void {
  let row = 1;
  while (row < height) {
    const first = starts[row] as number;
    const end = starts[row + 1] as number;
    if (first === end) {
      row = repeatRow(out, width, height, starts, row);
      continue;
    }
    const rowStart = row * width;
    out.copyWithin(rowStart, rowStart - width, rowStart);
    for (let slot = first; slot < end; slot += 1) {
      const pixel = rowStart + (sorted[slot] as number);
      out[pixel] = (out[pixel] as number) ^ 1;
    }
    row += 1;
  }
}

/**
 * Rows from `row` on that have no boundary equal the row above: copies it into all of them with
 * doubling blocks (a few large copies instead of one call per row) and returns the next row to build.
 */
function repeatRow(out: Uint8Array, width: number, height: number, starts: Int32Array, row: number): number {
  let stop = row + 1;
  while (stop < height && starts[stop] === starts[stop + 1]) stop += 1;
  const source = (row - 1) * width;
  const rows = stop - row;
  let copied = 0;
  while (copied < rows) {
    const block = Math.min(copied + 1, rows - copied);
    out.copyWithin(source + (copied + 1) * width, source, source + block * width);
    copied += block;
  }
  return stop;
}

/**
 * A row-major 0/1 mask from the first `length` COCO-order run lengths of `counts`, written into a new
 * buffer, or into `out` when given (exactly width × height bytes). Throws 'invalid-rle' when a count
 * is negative or the runs do not cover exactly width × height pixels.
 */
export function decodeRleCounts(counts: ArrayLike<number>, width: number, height: number, length = counts.length, out?: Uint8Array): Mask {
  const total = width * height;
  checkPixelCount(total);
  // One int32 copy keeps decodeCountsInto monomorphic whatever array type the caller holds.
  const copy = (copiedCounts = grown(copiedCounts, length));
  let covered = 0;
  for (let index = 0; index < length; index += 1) {
    const count = counts[index] as number;
    if (!Number.isInteger(count) || count < 0) {
      throw mmevolveError('invalid-rle', `COCO RLE count ${index} is ${count}, not a non-negative integer`, 'counts are run lengths of pixels');
    }
    copy[index] = count;
    covered += count;
  }
  if (covered !== total) throw coverageError(covered, height, width);
  const data = out ?? new Uint8Array(total);
  checkOutput(data, width, height);
  decodeCountsInto(copy, length, width, height, data);
  return { width, height, data };
}
