/** Small mask helpers the simulated servers share: an object's mask and its COCO run lengths (IoU is vision's maskIou). */
import { createMask } from '../../core/index.js';
import type { Mask } from '../../core/index.js';

export function objectMask(width: number, height: number, pixels: Int32Array | readonly number[]): Mask {
  const mask = createMask(width, height);
  for (const pixel of pixels) mask.data[pixel] = 1;
  return mask;
}

/**
 * COCO-order run lengths (column-major, starting with zeros) of the mask objectMask(width, height,
 * pixels) would build, without building it: the pixels are bucketed by column (counting sort, rows stay
 * ascending when the pixels are row-major sorted, as perceived objects' are) and runs read per column.
 * Equal to encodeRleCounts(objectMask(width, height, pixels)); unsorted or repeated pixels are sorted
 * and deduplicated first. Pixels must lie inside the image.
 */
export function objectRleCounts(width: number, height: number, pixels: Int32Array | readonly number[]): number[] {
  const total = width * height;
  if (total === 0) return [0];
  let sorted = pixels;
  for (let index = 1; index < pixels.length; index += 1) {
    if ((pixels[index] as number) <= (pixels[index - 1] as number)) {
      sorted = Int32Array.from(new Set(pixels)).sort();
      break;
    }
  }
  const count = sorted.length;
  const columnStarts = new Int32Array(width + 1);
  for (let index = 0; index < count; index += 1) {
    const x = (sorted[index] as number) % width;
    columnStarts[x + 1] = (columnStarts[x + 1] as number) + 1;
  }
  for (let x = 0; x < width; x += 1) columnStarts[x + 1] = (columnStarts[x + 1] as number) + (columnStarts[x] as number);
  const cursor = columnStarts.slice(0, width);
  // Column-major positions x·height + y, ascending.
  const positions = new Int32Array(count);
  for (let index = 0; index < count; index += 1) {
    const pixel = sorted[index] as number;
    const x = pixel % width;
    const slot = cursor[x] as number;
    positions[slot] = x * height + (pixel - x) / width;
    cursor[x] = slot + 1;
  }
  const counts: number[] = [];
  let runEnd = 0;
  for (let index = 0; index < count; ) {
    const start = positions[index] as number;
    let end = start + 1;
    index += 1;
    while (index < count && positions[index] === end) {
      end += 1;
      index += 1;
    }
    counts.push(start - runEnd, end - start);
    runEnd = end;
  }
  // As encodeRleCounts: no empty run of zeros after a run of ones that reaches the end.
  if (runEnd < total) counts.push(total - runEnd);
  return counts;
}
