/** Per-pixel COCO RLE, the bench's anchor where no C compiler is present: visit every pixel in column order. */
import type { Mask } from '../src/core/index.js';
import { createMask } from '../src/core/index.js';
import { rleCountsFromString, rleCountsToString } from '../src/vision/index.js';
import type { CocoRle } from '../src/vision/index.js';

export function perPixelEncode(mask: Mask): string {
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < mask.width; x += 1) {
    for (let y = 0; y < mask.height; y += 1) {
      const value = mask.data[y * mask.width + x] === 0 ? 0 : 1;
      if (value !== previous) {
        counts.push(run);
        run = 0;
        previous = value;
      }
      run += 1;
    }
  }
  counts.push(run);
  return rleCountsToString(counts);
}

export function perPixelDecode(rle: CocoRle): Mask {
  const [height, width] = rle.size;
  const mask = createMask(width, height);
  let position = 0;
  let value = 0;
  for (const count of rleCountsFromString(rle.counts)) {
    for (let k = 0; k < count; k += 1) {
      const x = Math.floor(position / height);
      mask.data[(position - x * height) * width + x] = value;
      position += 1;
    }
    value ^= 1;
  }
  return mask;
}

export function perPixelArea(rle: CocoRle): number {
  let area = 0;
  for (const value of perPixelDecode(rle).data) area += value;
  return area;
}

export function perPixelIou(a: CocoRle, b: CocoRle): number {
  const maskA = perPixelDecode(a);
  const maskB = perPixelDecode(b);
  let intersection = 0;
  let union = 0;
  for (let index = 0; index < maskA.data.length; index += 1) {
    const inA = maskA.data[index] !== 0;
    const inB = maskB.data[index] !== 0;
    if (inA && inB) intersection += 1;
    if (inA || inB) union += 1;
  }
  return union === 0 ? 0 : intersection / union;
}
