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

export function visibleStatistics(labels: Mask, objects: readonly SceneObject[]): VisibleStatistics[] {
  return objects.map((object, index) => {
    const alone = rasterizePolygon(labels, object.polygon);
    let full = 0;
    for (const value of alone.data) full += value;
    const box = polygonBounds(object.polygon);
    const { visible, components } = countComponents(labels, index + 1, box);
    return { full, visible, components };
  });
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
