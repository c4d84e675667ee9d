/**
 * Plane geometry of one pixel component: convex hull of its pixel squares, hull area and perimeter,
 * minimum-area enclosing rectangle (rotating calipers), holes, and the concave gaps between the shape
 * and its hull. Shape classification is built on these numbers.
 */
import { connectedComponents } from './components.js';
import type { Component } from './components.js';

export type Point = readonly [number, number];

/** Row extents of a component, from its row-major sorted pixel indices (rows in order, no division per pixel). */
function rowExtents(component: Component, width: number): { y: number; left: number; right: number }[] {
  const rows: { y: number; left: number; right: number }[] = [];
  const pixels = component.pixels;
  let index = 0;
  while (index < pixels.length) {
    const first = pixels[index] ?? 0;
    const x = first % width;
    const y = (first - x) / width;
    const rowEnd = first - x + width;
    let last = first;
    index += 1;
    while (index < pixels.length && (pixels[index] ?? rowEnd) < rowEnd) {
      last = pixels[index] ?? last;
      index += 1;
    }
    rows.push({ y, left: x, right: last - (first - x) });
  }
  return rows;
}

function cross(origin: Point, a: Point, b: Point): number {
  return (a[0] - origin[0]) * (b[1] - origin[1]) - (a[1] - origin[1]) * (b[0] - origin[0]);
}

/**
 * The pixel-square corners that can be hull vertices (issue 4: fewer points to sort, same hull). At each
 * corner height only the leftmost and rightmost corner can be extreme; a left corner no further left than
 * some corner above it and some below it lies on the segment between those and the right corner at its
 * height, so it is not a vertex (likewise on the right). Andrew's chain keeps only vertices, so dropping
 * non-vertices leaves its output unchanged.
 */
function hullCandidates(rows: readonly { y: number; left: number; right: number }[]): Point[] {
  const first = rows[0];
  if (first === undefined) return [];
  const top = first.y;
  const levels = (rows[rows.length - 1]?.y ?? top) - top + 2;
  const lefts = new Float64Array(levels).fill(Infinity);
  const rights = new Float64Array(levels).fill(-Infinity);
  for (const row of rows) {
    for (const level of [row.y - top, row.y - top + 1]) {
      if (row.left < (lefts[level] ?? Infinity)) lefts[level] = row.left;
      if (row.right + 1 > (rights[level] ?? -Infinity)) rights[level] = row.right + 1;
    }
  }
  // Smallest left / largest right strictly below each level.
  const leftBelow = new Float64Array(levels + 1).fill(Infinity);
  const rightBelow = new Float64Array(levels + 1).fill(-Infinity);
  for (let level = levels - 1; level >= 0; level -= 1) {
    leftBelow[level] = Math.min(leftBelow[level + 1] ?? Infinity, lefts[level] ?? Infinity);
    rightBelow[level] = Math.max(rightBelow[level + 1] ?? -Infinity, rights[level] ?? -Infinity);
  }
  const points: Point[] = [];
  let leftAbove = Infinity;
  let rightAbove = -Infinity;
  for (let level = 0; level < levels; level += 1) {
    const left = lefts[level] ?? Infinity;
    const right = rights[level] ?? -Infinity;
    if (left === Infinity) continue;
    if (left < leftAbove || left < (leftBelow[level + 1] ?? Infinity)) points.push([left, top + level]);
    if (right > rightAbove || right > (rightBelow[level + 1] ?? -Infinity)) points.push([right, top + level]);
    leftAbove = Math.min(leftAbove, left);
    rightAbove = Math.max(rightAbove, right);
  }
  return points;
}

/** Convex hull (counter-clockwise in image coordinates, Andrew's monotone chain) of the pixel squares. */
export function componentHull(component: Component, width: number): Point[] {
  const points = hullCandidates(rowExtents(component, width));
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const lower: Point[] = [];
  for (const point of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2] as Point, lower[lower.length - 1] as Point, point) <= 0) lower.pop();
    lower.push(point);
  }
  const upper: Point[] = [];
  for (let index = points.length - 1; index >= 0; index -= 1) {
    const point = points[index] as Point;
    while (upper.length >= 2 && cross(upper[upper.length - 2] as Point, upper[upper.length - 1] as Point, point) <= 0) upper.pop();
    upper.push(point);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

export function polygonArea(polygon: readonly Point[]): number {
  let twice = 0;
  for (let index = 0; index < polygon.length; index += 1) {
    const a = polygon[index] as Point;
    const b = polygon[(index + 1) % polygon.length] as Point;
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(twice) / 2;
}

export function polygonPerimeter(polygon: readonly Point[]): number {
  let total = 0;
  for (let index = 0; index < polygon.length; index += 1) {
    const a = polygon[index] as Point;
    const b = polygon[(index + 1) % polygon.length] as Point;
    total += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  return total;
}

/** Minimum-area enclosing rectangle of a convex polygon: its area and side lengths (long ≥ short). */
export function minAreaRectangle(hull: readonly Point[]): { area: number; long: number; short: number } {
  let best = { area: Infinity, long: 0, short: 0 };
  for (let index = 0; index < hull.length; index += 1) {
    const a = hull[index] as Point;
    const b = hull[(index + 1) % hull.length] as Point;
    const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (length === 0) continue;
    const ux = (b[0] - a[0]) / length;
    const uy = (b[1] - a[1]) / length;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const point of hull) {
      const u = point[0] * ux + point[1] * uy;
      const v = -point[0] * uy + point[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const sideU = maxU - minU;
    const sideV = maxV - minV;
    const area = sideU * sideV;
    if (area < best.area) best = { area, long: Math.max(sideU, sideV), short: Math.min(sideU, sideV) };
  }
  return best;
}

/** Local raster of a component inside its box: 1 = member. */
export function componentRaster(component: Component, width: number): { raster: Uint8Array; width: number; height: number } {
  const [x1, y1, x2, y2] = component.box;
  const localWidth = x2 - x1;
  const localHeight = y2 - y1;
  const raster = new Uint8Array(localWidth * localHeight);
  // Pixels are row-major sorted: the row advances monotonically, so no division per pixel.
  let y = y1;
  let rowStart = y1 * width;
  for (const pixel of component.pixels) {
    while (pixel >= rowStart + width) {
      rowStart += width;
      y += 1;
    }
    raster[(y - y1) * localWidth + (pixel - rowStart - x1)] = 1;
  }
  return { raster, width: localWidth, height: localHeight };
}

/** fillHoles' flood stack, reused (grown as needed): read only within one synchronous call. */
let floodStack = new Int32Array(0);

/**
 * The component's holes: regions of non-member pixels (4-connected) that a flood from outside the box
 * cannot reach. Returns their sizes and the raster with holes filled.
 */
export function fillHoles(raster: Uint8Array, width: number, height: number): { sizes: number[]; filled: Uint8Array } {
  const paddedWidth = width + 2;
  const paddedHeight = height + 2;
  const state = new Uint8Array(paddedWidth * paddedHeight);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) if (raster[y * width + x] === 1) state[(y + 1) * paddedWidth + x + 1] = 1;
  }
  if (floodStack.length < paddedWidth * paddedHeight) floodStack = new Int32Array(paddedWidth * paddedHeight);
  const stack = floodStack;
  // Left and right neighbours are index ∓ 1 without a column check: that steps across a row end only
  // from a padding column to the other, both outside (flooded first, from the padding ring), and a hole
  // never reaches the padding. So the same pixels get the same marks as with 4-neighbours in the grid.
  const flood = (seed: number, mark: number): number => {
    let top = 0;
    let size = 0;
    stack[top++] = seed;
    state[seed] = mark;
    while (top > 0) {
      const pixel = stack[--top] ?? 0;
      size += 1;
      const up = pixel - paddedWidth;
      const down = pixel + paddedWidth;
      if (up >= 0 && state[up] === 0) {
        state[up] = mark;
        stack[top++] = up;
      }
      if (down < state.length && state[down] === 0) {
        state[down] = mark;
        stack[top++] = down;
      }
      if (pixel > 0 && state[pixel - 1] === 0) {
        state[pixel - 1] = mark;
        stack[top++] = pixel - 1;
      }
      if (pixel + 1 < state.length && state[pixel + 1] === 0) {
        state[pixel + 1] = mark;
        stack[top++] = pixel + 1;
      }
    }
    return size;
  };
  flood(0, 2);
  const sizes: number[] = [];
  for (let pixel = 0; pixel < state.length; pixel += 1) if (state[pixel] === 0) sizes.push(flood(pixel, 3));
  const filled = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = state[(y + 1) * paddedWidth + x + 1];
      if (value === 1 || value === 3) filled[y * width + x] = 1;
    }
  }
  return { sizes, filled };
}

/**
 * Sizes of the 8-connected regions of pixels whose centre lies inside the hull but that are not members
 * (holes excluded by passing `filled`): the concave gaps (5 for a star, 4 for a cross).
 */
export function concaveGapSizes(hull: readonly Point[], filled: Uint8Array, width: number, height: number, originX: number, originY: number): number[] {
  const gap = new Uint8Array(width * height);
  // Where the row of pixel centres crosses the hull: each edge visits only the rows its y-span can
  // reach (a little wider, then the exact test), not every row (issue 4; same values, same arithmetic).
  const lefts = new Float64Array(height).fill(Infinity);
  const rights = new Float64Array(height).fill(-Infinity);
  for (let index = 0; index < hull.length; index += 1) {
    const a = hull[index] as Point;
    const b = hull[(index + 1) % hull.length] as Point;
    const first = Math.max(0, Math.floor(Math.min(a[1], b[1]) - originY) - 1);
    const last = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) - originY) + 1);
    for (let y = first; y <= last; y += 1) {
      const centreY = originY + y + 0.5;
      if ((a[1] <= centreY && b[1] > centreY) || (b[1] <= centreY && a[1] > centreY)) {
        const x = a[0] + ((centreY - a[1]) / (b[1] - a[1])) * (b[0] - a[0]);
        if (x < (lefts[y] ?? Infinity)) lefts[y] = x;
        if (x > (rights[y] ?? -Infinity)) rights[y] = x;
      }
    }
  }
  for (let y = 0; y < height; y += 1) {
    const left = lefts[y] ?? Infinity;
    const right = rights[y] ?? -Infinity;
    for (let x = 0; x < width; x += 1) {
      const centreX = originX + x + 0.5;
      if (centreX > left && centreX < right && filled[y * width + x] === 0) gap[y * width + x] = 1;
    }
  }
  // Gap pixels are 1, the rest 0: the gaps are the 8-connected components of label 1, in scan order.
  return connectedComponents(gap, width, height, 1, 0).map((component) => component.pixels.length);
}
