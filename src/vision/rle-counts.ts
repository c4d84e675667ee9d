import { mmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';

/**
 * Mask → run lengths in COCO order (column-major / Fortran, counts alternate runs of 0 and 1 starting
 * with a possibly empty run of zeros), as pycocotools maskApi.c rleEncode; decoding is rle-decode.ts.
 *
 * Encoding works on run boundaries instead of visiting pixels in column order: a boundary inside a
 * column is a place where a pixel differs from the one above it, so it compares each row with the
 * previous one (4 bytes at a time when rows are word-aligned) and sorts the differences by column.
 * Working memory is typed arrays reused across calls; no per-run objects.
 */

/** Receives run lengths in order (an array collector or the string writer). */
export interface RunSink {
  push(count: number): void;
}

/** Int32 positions keep the hot loops in small integers; no mask comes near 2^31 pixels. */
const MAX_PIXELS = 2 ** 31 - 1;

let eventColumns: Int32Array = new Int32Array(1 << 14);
let eventRows: Int32Array = new Int32Array(1 << 14);
let sortedRows: Int32Array = new Int32Array(1 << 14);

function grown(array: Int32Array, needed: number): Int32Array {
  if (array.length >= needed) return array;
  const next = new Int32Array(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

function checkPixelCount(total: number): void {
  if (total > MAX_PIXELS) {
    throw mmevolveError('invalid-input', `a mask of ${total} pixels is larger than COCO RLE handling supports (${MAX_PIXELS})`, 'split or downscale the image');
  }
}

/** Streams the run lengths of a row-major mask in COCO order into `sink`; any non-zero pixel is foreground. */
export function writeRleRuns(mask: Mask, sink: RunSink): void {
  const { width, height, data } = mask;
  const total = width * height;
  checkPixelCount(total);
  if (total === 0) {
    sink.push(0);
    return;
  }
  let events = 0;
  // Module scratch copied to locals: module-scope bindings cost a hole check per use in hot loops.
  let columns = eventColumns;
  let rows = eventRows;
  const columnStarts = new Int32Array(width + 1);
  const aligned = width % 4 === 0 && data.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, total / 4) : null;
  const wordsPerRow = width >> 2;
  for (let y = 1; y < height; y += 1) {
    const rowStart = y * width;
    const previousStart = rowStart - width;
    if (columns.length - events < width) {
      columns = eventColumns = grown(columns, events + width);
      rows = eventRows = grown(rows, events + width);
    }
    if (words !== null) {
      const wordStart = rowStart >> 2;
      const previousWordStart = previousStart >> 2;
      for (let word = 0; word < wordsPerRow; word += 1) {
        if (words[wordStart + word] === words[previousWordStart + word]) continue;
        const end = (word << 2) + 4;
        for (let x = word << 2; x < end; x += 1) {
          if ((data[rowStart + x] === 0) !== (data[previousStart + x] === 0)) {
            columns[events] = x;
            rows[events] = y;
            columnStarts[x + 1] = (columnStarts[x + 1] as number) + 1;
            events += 1;
          }
        }
      }
    } else {
      for (let x = 0; x < width; x += 1) {
        if ((data[rowStart + x] === 0) !== (data[previousStart + x] === 0)) {
          columns[events] = x;
          rows[events] = y;
          columnStarts[x + 1] = (columnStarts[x + 1] as number) + 1;
          events += 1;
        }
      }
    }
  }
  // Counting sort of the boundaries by column; rows stay ascending within a column.
  for (let x = 0; x < width; x += 1) columnStarts[x + 1] = (columnStarts[x + 1] as number) + (columnStarts[x] as number);
  const cursor = columnStarts.slice(0, width);
  const sorted = (sortedRows = grown(sortedRows, events));
  for (let index = 0; index < events; index += 1) {
    const x = columns[index] as number;
    const slot = cursor[x] as number;
    sorted[slot] = rows[index] as number;
    cursor[x] = slot + 1;
  }

  let runStart = 0;
  let current = 0;
  for (let x = 0; x < width; x += 1) {
    const columnStart = x * height;
    const top = data[x] === 0 ? 0 : 1;
    if (top !== current) {
      sink.push(columnStart - runStart);
      runStart = columnStart;
      current = top;
    }
    const end = columnStarts[x + 1] as number;
    for (let slot = columnStarts[x] as number; slot < end; slot += 1) {
      const position = columnStart + (sorted[slot] as number);
      sink.push(position - runStart);
      runStart = position;
      current ^= 1;
    }
  }
  sink.push(total - runStart);
}

/** Run lengths of a row-major mask in COCO order; any non-zero pixel is foreground. */
export function encodeRleCounts(mask: Mask): number[] {
  const counts: number[] = [];
  writeRleRuns(mask, counts);
  return counts;
}
