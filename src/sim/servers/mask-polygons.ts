/**
 * Outer contours of a mask as integer pixel polygons, the shape of the SAM 3 server's `format:
 * "polygon"` output (masks2multipoly keeps outer contours only; holes are not represented). Moore
 * neighbour tracing of each 8-connected component with Jacob's stopping rule; points are boundary pixel
 * coordinates, so an OpenCV-style outline + fill of a polygon reproduces its component without holes.
 */
import type { Mask } from '../../core/index.js';
import { connectedComponents } from '../perception/components.js';

/** Clockwise in image coordinates (y down): E, SE, S, SW, W, NW, N, NE. */
const STEPS: readonly (readonly [number, number])[] = [
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [-1, -1],
  [0, -1],
  [1, -1],
];

function trace(mask: Mask, start: number): [number, number][] {
  const { width, height } = mask;
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && mask.data[y * width + x] !== 0;
  const startX = start % width;
  const startY = (start - startX) / width;
  const contour: [number, number][] = [[startX, startY]];
  let x = startX;
  let y = startY;
  let direction = 0;
  let firstDirection = -1;
  for (let guard = 0; guard < 4 * mask.data.length; guard += 1) {
    const from = direction % 2 === 0 ? (direction + 6) % 8 : (direction + 7) % 8;
    let found = -1;
    for (let turn = 0; turn < 8; turn += 1) {
      const candidate = (from + turn) % 8;
      const [dx, dy] = STEPS[candidate] ?? [0, 0];
      if (inside(x + dx, y + dy)) {
        found = candidate;
        break;
      }
    }
    if (found < 0) return contour;
    if (x === startX && y === startY && found === firstDirection) break;
    if (firstDirection < 0) firstDirection = found;
    const [dx, dy] = STEPS[found] ?? [0, 0];
    x += dx;
    y += dy;
    direction = found;
    if (!(x === startX && y === startY)) contour.push([x, y]);
  }
  return contour;
}

/** One polygon per 8-connected component of the mask, in scan order of the components. */
export function maskPolygons(mask: Mask): [number, number][][] {
  return connectedComponents(mask.data, mask.width, mask.height, 1, 0).map((component) => trace(mask, component.pixels[0] ?? 0));
}
