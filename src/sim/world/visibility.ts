/** How much of each object shows in a label map, and in how many 8-connected pieces. */
import type { Mask } from '../../core/index.js';
import { rasterizePolygon } from '../../vision/index.js';
import type { SceneObject } from './scene-types.js';
import { polygonBounds } from './shapes.js';

export interface VisibleStatistics {
  /** Pixels the object would cover alone. */
  readonly full: number;
  /** Pixels where it is on top. */
  readonly visible: number;
  /** 8-connected components of the visible pixels. */
  readonly components: number;
}

/** Statistics of every object, or only of those listed in `only` (others are left out). */
export function visibleStatistics(labels: Mask, objects: readonly SceneObject[], only?: readonly number[]): VisibleStatistics[] {
  return objects.flatMap((object, index) => {
    if (only !== undefined && !only.includes(index)) return [];
    const alone = rasterizePolygon(labels, object.polygon);
    const box = polygonBounds(object.polygon);
    const full = countInBox(alone, box);
    const { visible, components } = countComponents(labels, index + 1, box);
    return [{ full, visible, components }];
  });
}

/** Ones of a mask inside a box (indexed loops: iterating a large Uint8Array with for…of is slow). */
export function countInBox(mask: Mask, box: readonly [number, number, number, number]): number {
  const x1 = Math.max(0, box[0]);
  const x2 = Math.min(mask.width, box[2]);
  let count = 0;
  for (let y = Math.max(0, box[1]); y < Math.min(mask.height, box[3]); y += 1) {
    const row = y * mask.width;
    for (let x = x1; x < x2; x += 1) count += mask.data[row + x] ?? 0;
  }
  return count;
}

/** Pixels equal to `value` inside the box, and their 8-connected component count. */
export function countComponents(
  labels: Mask,
  value: number,
  box: readonly [number, number, number, number],
): { visible: number; components: number } {
  const { width, height, data } = labels;
  const x1 = Math.max(0, box[0]);
  const y1 = Math.max(0, box[1]);
  const x2 = Math.min(width, box[2]);
  const y2 = Math.min(height, box[3]);
  const boxWidth = Math.max(0, x2 - x1);
  // Only pixels inside the box can hold the object's label, so the bookkeeping stays box-sized.
  const seen = new Uint8Array(boxWidth * Math.max(0, y2 - y1));
  const seenIndex = (pixel: number): number => {
    const column = pixel % width;
    return ((pixel - column) / width - y1) * boxWidth + (column - x1);
  };
  const stack: number[] = [];
  let visible = 0;
  let components = 0;
  for (let y = y1; y < y2; y += 1) {
    for (let x = x1; x < x2; x += 1) {
      const start = y * width + x;
      if (data[start] !== value || seen[seenIndex(start)] === 1) continue;
      components += 1;
      seen[seenIndex(start)] = 1;
      stack.push(start);
      while (stack.length > 0) {
        const pixel = stack.pop() ?? 0;
        visible += 1;
        const px = pixel % width;
        const py = (pixel - px) / width;
        for (let dy = -1; dy <= 1; dy += 1) {
          for (let dx = -1; dx <= 1; dx += 1) {
            const nx = px + dx;
            const ny = py + dy;
            if (nx < x1 || ny < y1 || nx >= x2 || ny >= y2) continue;
            const neighbour = ny * width + nx;
            if (data[neighbour] === value && seen[seenIndex(neighbour)] === 0) {
              seen[seenIndex(neighbour)] = 1;
              stack.push(neighbour);
            }
          }
        }
      }
    }
  }
  return { visible, components };
}
