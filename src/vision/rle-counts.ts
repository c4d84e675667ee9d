import { createMask } from '../core/index.js';
import type { Mask } from '../core/index.js';

/**
 * Mask ↔ run lengths in COCO order (column-major / Fortran, counts alternate runs of 0 and 1 starting
 * with a possibly empty run of zeros), as pycocotools maskApi.c rleEncode/rleDecode.
 *
 * Both directions work on run boundaries instead of visiting pixels in column order: a boundary
 * inside a column is a place where a pixel differs from the one above it, so encoding compares each
 * row with the previous one (4 bytes at a time when rows are word-aligned) and decoding copies each
 * row from the previous one and toggles the pixels where a run starts or ends.
 */

/** Run lengths of a row-major mask in COCO order; any non-zero pixel is foreground. */
export function encodeRleCounts(mask: Mask): number[] {
  const { width, height, data } = mask;
  const total = width * height;
  if (total === 0) return [0];
  const eventColumns: number[] = [];
  const eventRows: number[] = [];
  const words =
    width % 4 === 0 && data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, total / 4) : null;
  const wordsPerRow = width / 4;
  for (let y = 1; y < height; y += 1) {
    const rowStart = y * width;
    const previousStart = rowStart - width;
    if (words !== null) {
      const wordStart = rowStart / 4;
      const previousWordStart = previousStart / 4;
      for (let word = 0; word < wordsPerRow; word += 1) {
        if (words[wordStart + word] === words[previousWordStart + word]) continue;
        for (let x = word * 4; x < word * 4 + 4; x += 1) {
          if ((data[rowStart + x] === 0) !== (data[previousStart + x] === 0)) {
            eventColumns.push(x);
            eventRows.push(y);
          }
        }
      }
    } else {
      for (let x = 0; x < width; x += 1) {
        if ((data[rowStart + x] === 0) !== (data[previousStart + x] === 0)) {
          eventColumns.push(x);
          eventRows.push(y);
        }
      }
    }
  }
  // Counting sort of the boundaries by column; rows stay ascending within a column.
  const columnStarts = new Int32Array(width + 1);
  for (const x of eventColumns) columnStarts[x + 1] = (columnStarts[x + 1] as number) + 1;
  for (let x = 0; x < width; x += 1) columnStarts[x + 1] = (columnStarts[x + 1] as number) + (columnStarts[x] as number);
  const cursor = columnStarts.slice(0, width);
  const sortedRows = new Int32Array(eventRows.length);
  for (let index = 0; index < eventRows.length; index += 1) {
    const x = eventColumns[index] as number;
    const slot = cursor[x] as number;
    sortedRows[slot] = eventRows[index] as number;
    cursor[x] = slot + 1;
  }

  const counts: number[] = [];
  let runStart = 0;
  let current = 0;
  for (let x = 0; x < width; x += 1) {
    const columnStart = x * height;
    const top = data[x] === 0 ? 0 : 1;
    if (top !== current) {
      counts.push(columnStart - runStart);
      runStart = columnStart;
      current = top;
    }
    const end = columnStarts[x + 1] as number;
    for (let slot = columnStarts[x] as number; slot < end; slot += 1) {
      const position = columnStart + (sortedRows[slot] as number);
      counts.push(position - runStart);
      runStart = position;
      current ^= 1;
    }
  }
  counts.push(total - runStart);
  return counts;
}

/**
 * A row-major 0/1 mask from COCO-order run lengths. The caller guarantees the counts sum to
 * width × height (decodeRle checks it).
 */
export function decodeRleCounts(counts: ArrayLike<number>, width: number, height: number): Mask {
  const mask = createMask(width, height);
  const total = width * height;
  if (total === 0) return mask;
  const data = mask.data;
  // Every boundary between consecutive runs toggles the value; collect the ones inside columns by row.
  const rowStarts = new Int32Array(height + 1);
  const boundaries: number[] = [];
  let position = 0;
  for (let index = 0; index + 1 < counts.length; index += 1) {
    position += counts[index] as number;
    boundaries.push(position);
    const y = position % height;
    if (y !== 0) rowStarts[y + 1] = (rowStarts[y + 1] as number) + 1;
  }
  for (let y = 0; y < height; y += 1) rowStarts[y + 1] = (rowStarts[y + 1] as number) + (rowStarts[y] as number);
  const cursor = rowStarts.slice(0, height);
  const eventColumns = new Int32Array(rowStarts[height] as number);
  // Row 0: the value at the top of each column is the parity of the boundaries at or before it.
  let boundaryIndex = 0;
  let parity = 0;
  for (let x = 0; x < width; x += 1) {
    const columnStart = x * height;
    while (boundaryIndex < boundaries.length && (boundaries[boundaryIndex] as number) <= columnStart) {
      parity ^= 1;
      boundaryIndex += 1;
    }
    data[x] = parity;
  }
  for (const boundary of boundaries) {
    const y = boundary % height;
    if (y === 0) continue;
    const slot = cursor[y] as number;
    eventColumns[slot] = (boundary - y) / height;
    cursor[y] = slot + 1;
  }
  for (let y = 1; y < height; y += 1) {
    const rowStart = y * width;
    data.copyWithin(rowStart, rowStart - width, rowStart);
    const end = rowStarts[y + 1] as number;
    for (let slot = rowStarts[y] as number; slot < end; slot += 1) {
      const index = rowStart + (eventColumns[slot] as number);
      data[index] = (data[index] as number) ^ 1;
    }
  }
  return mask;
}
