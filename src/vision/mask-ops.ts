import { createMask, mmevolveError, sameSize } from '../core/index.js';
import type { Box, Mask, Size } from '../core/index.js';

/**
 * Pixel-level operations on row-major masks. Any non-zero byte counts as foreground, so label maps
 * (255 = ignore) must be thresholded by the caller when ignore pixels should not count.
 */

function requireSameSize(a: Size, b: Size, what: string): void {
  if (!sameSize(a, b)) {
    throw mmevolveError(
      'size-mismatch',
      `${what}: mask sizes differ (${a.width}x${a.height} vs ${b.width}x${b.height})`,
      'resize predictions to the original image size before comparing masks',
    );
  }
}

/**
 * The bytes as 32-bit words when the buffer is 4-byte aligned (masks are mostly background: a zero word is
 * four background pixels skipped at once), else undefined. Words cover data.length & ~3 bytes.
 */
function maskWords(data: Uint8Array): Uint32Array | undefined {
  return data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2) : undefined;
}

/**
 * Calls `visit` with every index of two equal-length pixel planes, except that four pixels zero in both are
 * skipped at once when both buffers are word-aligned (counting loops over mostly-background masks, issue 18).
 */
export function visitUnlessBothZero(a: Uint8Array, b: Uint8Array, visit: (index: number) => void): void {
  const wordsA = maskWords(a);
  const wordsB = maskWords(b);
  let index = 0;
  if (wordsA !== undefined && wordsB !== undefined) {
    for (let word = 0; word < wordsA.length; word += 1) {
      if (wordsA[word] === 0 && wordsB[word] === 0) continue;
      const first = word << 2;
      visit(first);
      visit(first + 1);
      visit(first + 2);
      visit(first + 3);
    }
    index = wordsA.length << 2;
  }
  for (; index < a.length; index += 1) visit(index);
}

export function maskArea(mask: Mask): number {
  // Indexed loops: `for…of` over a typed array ran ten times slower (issue 18, engine CPU per sample).
  const data = mask.data;
  const length = data.length;
  const words = maskWords(data);
  let area = 0;
  let index = 0;
  if (words !== undefined) {
    for (let word = 0; word < words.length; word += 1) {
      if (words[word] === 0) continue;
      const first = word << 2;
      if (data[first] !== 0) area += 1;
      if (data[first + 1] !== 0) area += 1;
      if (data[first + 2] !== 0) area += 1;
      if (data[first + 3] !== 0) area += 1;
    }
    index = words.length << 2;
  }
  for (; index < length; index += 1) if (data[index] !== 0) area += 1;
  return area;
}

/** Pixel-edge box [x1, y1, x2, y2] of the foreground (x2, y2 exclusive), or null when empty. */
export function maskBox(mask: Mask): Box | null {
  const { width, height, data } = mask;
  let xMin = width;
  let xMax = -1;
  let yMin = height;
  let yMax = -1;
  for (let y = 0; y < height; y += 1) {
    const rowStart = y * width;
    // First foreground pixel from the left, last from the right: a row is read once at most.
    let first = 0;
    while (first < width && data[rowStart + first] === 0) first += 1;
    if (first === width) continue;
    let last = width - 1;
    while (data[rowStart + last] === 0) last -= 1;
    if (yMin === height) yMin = y;
    yMax = y;
    xMin = Math.min(xMin, first);
    xMax = Math.max(xMax, last);
  }
  if (xMax < 0) return null;
  return [xMin, yMin, xMax + 1, yMax + 1];
}

export function maskIntersectionUnion(a: Mask, b: Mask): { intersection: number; union: number } {
  requireSameSize(a, b, 'maskIntersectionUnion');
  let intersection = 0;
  let union = 0;
  const dataA = a.data;
  const dataB = b.data;
  visitUnlessBothZero(dataA, dataB, (index) => {
    const inA = dataA[index] !== 0;
    const inB = dataB[index] !== 0;
    if (inA && inB) intersection += 1;
    if (inA || inB) union += 1;
  });
  return { intersection, union };
}

/** Intersection over union; 0 when both masks are empty (scoring conventions live in eval). */
export function maskIou(a: Mask, b: Mask): number {
  const { intersection, union } = maskIntersectionUnion(a, b);
  return union === 0 ? 0 : intersection / union;
}

/**
 * Union of masks as a 0/1 mask. `size` is required when the list may be empty (the result is then
 * an empty mask of that size) and, when given, every mask must match it.
 */
export function orMasks(masks: Mask[], size?: Size): Mask {
  const target = size ?? masks[0];
  if (target === undefined) {
    throw mmevolveError('invalid-input', 'orMasks got no masks and no size', 'pass the image size as the second argument');
  }
  const result = createMask(target.width, target.height);
  for (const mask of masks) {
    requireSameSize(target, mask, 'orMasks');
    const source = mask.data;
    const output = result.data;
    for (let index = 0; index < source.length; index += 1) if (source[index] !== 0) output[index] = 1;
  }
  return result;
}

/**
 * Labels 8-connected foreground components: returns a label per pixel (0 = background, 1..count)
 * and the pixel count of each label (index 0 unused). Iterative flood fill, no recursion.
 */
function labelComponents(mask: Mask): { labels: Int32Array; sizes: number[] } {
  const { width, height, data } = mask;
  const labels = new Int32Array(width * height);
  const sizes: number[] = [0];
  const stack: number[] = [];
  for (let start = 0; start < data.length; start += 1) {
    if (data[start] === 0 || labels[start] !== 0) continue;
    const label = sizes.length;
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const index = stack.pop() as number;
      size += 1;
      const x = index % width;
      const y = (index - x) / width;
      for (let dy = -1; dy <= 1; dy += 1) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const neighbour = ny * width + nx;
          if (data[neighbour] !== 0 && labels[neighbour] === 0) {
            labels[neighbour] = label;
            stack.push(neighbour);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/** One 0/1 mask per 8-connected foreground component, in raster order of their first pixel. */
export function connectedComponents(mask: Mask): Mask[] {
  const { labels, sizes } = labelComponents(mask);
  const components = sizes.slice(1).map(() => createMask(mask.width, mask.height));
  for (let index = 0; index < labels.length; index += 1) {
    const label = labels[index] as number;
    if (label > 0) (components[label - 1] as Mask).data[index] = 1;
  }
  return components;
}

/** A 0/1 copy of `mask` without the 8-connected components smaller than `minPixels`. */
export function removeSmallComponents(mask: Mask, minPixels: number): Mask {
  const { labels, sizes } = labelComponents(mask);
  const result = createMask(mask.width, mask.height);
  for (let index = 0; index < labels.length; index += 1) {
    const label = labels[index] as number;
    if (label > 0 && (sizes[label] as number) >= minPixels) result.data[index] = 1;
  }
  return result;
}
