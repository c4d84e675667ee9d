import { createMask, mmevolveError } from '../core/index.js';
import type { Mask, Size } from '../core/index.js';
import { clipLine } from './clip-line.js';
import type { LinePoints } from './clip-line.js';

/**
 * Polygon rasterisation that reproduces, pixel for pixel, what LISA's ReasonSeg loader draws for one
 * shape with OpenCV 4.6 (the version of the golden fixtures):
 *
 *     cv2.polylines(mask, [pts], True, value, 1)   # closed 1-px outline, LINE_8, no anti-aliasing
 *     cv2.fillPoly(mask, [pts], value)             # even-odd scanline fill of the interior
 *
 * The algorithm follows OpenCV's modules/imgproc/src/drawing.cpp (Line / LineIterator for the outline,
 * CollectPolyEdges + FillEdgeCollection for the fill, 16.16 fixed point with XY_SHIFT = 16); it was
 * re-implemented here and is pinned by golden masks drawn with the real OpenCV
 * (scripts/fixtures/polygons.py → src/vision/__fixtures__/polygons.json).
 */

export type PolygonPoint = readonly [number, number];

/** drawing.cpp: XY_SHIFT = 16, XY_ONE = 1 << XY_SHIFT. */
const XY_ONE = 65536;

/**
 * Fixed-point values stay exact in float64 while |coordinate| ≤ 2^20 and the canvas is at most 2^16
 * wide or high (every product OpenCV forms in int64 then stays below 2^53).
 */
const MAX_COORDINATE = 1 << 20;
const MAX_CANVAS_SIDE = 1 << 16;

interface PolyEdge {
  y0: number;
  y1: number;
  x: number;
  dx: number;
}

/** Arithmetic right shift by XY_SHIFT of an integer that may exceed 32 bits. */
function shiftDown(value: number): number {
  return Math.floor(value / XY_ONE);
}

/** C integer division (truncates toward zero); exact for |operands| < 2^53. */
function divideTruncating(numerator: number, denominator: number): number {
  return Math.trunc(numerator / denominator);
}

function isOutside(target: Mask, x: number, y: number): boolean {
  return x < 0 || x >= target.width || y < 0 || y >= target.height;
}

/** drawing.cpp Line() with LINE_8: LineIterator (left to right) over the clipped segment. */
function drawLine(target: Mask, x0: number, y0: number, x1: number, y1: number, value: number): void {
  const line: LinePoints = { x0, y0, x1, y1 };
  if (isOutside(target, x0, y0) || isOutside(target, x1, y1)) {
    if (!clipLine(target.width, target.height, line)) return;
  }
  let startX = line.x0;
  let startY = line.y0;
  let deltaX = line.x1 - line.x0;
  let deltaY = line.y1 - line.y0;
  if (deltaX < 0) {
    // leftToRight: iterate from the left end.
    deltaX = -deltaX;
    deltaY = -deltaY;
    startX = line.x1;
    startY = line.y1;
  }
  const stepY = deltaY < 0 ? -1 : 1;
  deltaY = Math.abs(deltaY);
  const vertical = deltaY > deltaX;
  const major = vertical ? deltaY : deltaX;
  const minor = vertical ? deltaX : deltaY;
  // Bresenham as LineIterator: err = dx - 2dy; a minor step whenever err < 0 before the update.
  let error = major - 2 * minor;
  let x = startX;
  let y = startY;
  const width = target.width;
  for (let index = 0; index <= major; index += 1) {
    target.data[y * width + x] = value;
    const takeMinor = error < 0;
    error += takeMinor ? 2 * major - 2 * minor : -2 * minor;
    if (vertical) {
      y += stepY;
      if (takeMinor) x += 1;
    } else {
      x += 1;
      if (takeMinor) y += stepY;
    }
  }
}

/**
 * drawing.cpp CollectPolyEdges for shift 0, LINE_8 (OpenCV 4.6): draws each edge with Line() and
 * collects the non-horizontal ones for the fill, x in 16.16 fixed point from the unclipped vertices.
 * (Later OpenCV releases rebuild edges from clipped endpoints; the golden fixtures are 4.6, which
 * LISA-era environments ship, and this matches them.)
 */
function collectEdges(target: Mask, points: ReadonlyArray<PolygonPoint>, value: number): PolyEdge[] {
  const edges: PolyEdge[] = [];
  const last = points[points.length - 1];
  if (last === undefined) return edges;
  let previousX = last[0];
  let previousY = last[1];
  for (const point of points) {
    const [currentX, currentY] = point;
    drawLine(target, previousX, previousY, currentX, currentY, value);
    if (previousY !== currentY) {
      const dx = divideTruncating((currentX - previousX) * XY_ONE, currentY - previousY);
      if (previousY < currentY) {
        edges.push({ y0: previousY, y1: currentY, x: previousX * XY_ONE, dx });
      } else {
        edges.push({ y0: currentY, y1: previousY, x: currentX * XY_ONE, dx });
      }
    }
    previousX = currentX;
    previousY = currentY;
  }
  return edges;
}

function compareEdges(a: PolyEdge, b: PolyEdge): number {
  if (a.y0 !== b.y0) return a.y0 - b.y0;
  if (a.x !== b.x) return a.x - b.x;
  return a.dx - b.dx;
}

/**
 * drawing.cpp FillEdgeCollection (non-antialiased): scanline even-odd fill over an active edge list
 * kept sorted by x. Pairs of consecutive active edges bound each horizontal span, inclusive at both
 * ends (x1 = ceil of the left x, x2 = floor of the right x).
 */
function fillEdges(target: Mask, edges: PolyEdge[], value: number): void {
  if (edges.length < 2) return;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (const edge of edges) {
    const endX = edge.x + (edge.y1 - edge.y0) * edge.dx;
    yMin = Math.min(yMin, edge.y0);
    yMax = Math.max(yMax, edge.y1);
    xMin = Math.min(xMin, edge.x, endX);
    xMax = Math.max(xMax, edge.x, endX);
  }
  const { width, height, data } = target;
  if (yMax < 0 || yMin >= height || xMax < 0 || xMin >= width * XY_ONE) return;

  const sorted = [...edges].sort(compareEdges);
  const active: PolyEdge[] = [];
  let nextIndex = 0;
  const yEnd = Math.min(yMax, height);
  for (let y = sorted[0]?.y0 ?? 0; y < yEnd; y += 1) {
    // Drop edges whose lower end is this row, then merge in edges starting here, keeping x order
    // (a new edge goes before the first active edge whose x is not smaller, as OpenCV inserts it).
    for (let index = active.length - 1; index >= 0; index -= 1) {
      if (active[index]?.y1 === y) active.splice(index, 1);
    }
    while (nextIndex < sorted.length) {
      const edge = sorted[nextIndex];
      if (edge === undefined || edge.y0 !== y) break;
      let position = 0;
      while (position < active.length && (active[position]?.x ?? 0) < edge.x) position += 1;
      active.splice(position, 0, edge);
      nextIndex += 1;
    }
    for (let index = 0; index + 1 < active.length; index += 2) {
      const left = active[index];
      const right = active[index + 1];
      if (left === undefined || right === undefined) break;
      if (y >= 0) {
        const low = Math.min(left.x, right.x);
        const high = Math.max(left.x, right.x);
        // Span from ceil(left) to floor(right), both inclusive.
        let x1 = shiftDown(low + XY_ONE - 1);
        let x2 = shiftDown(high);
        if (x1 < width && x2 >= 0) {
          if (x1 < 0) x1 = 0;
          if (x2 >= width) x2 = width - 1;
          data.fill(value, y * width + x1, y * width + x2 + 1);
        }
      }
      left.x += left.dx;
      right.x += right.dx;
    }
    // OpenCV re-sorts the active list by x with a bubble sort (stable for equal x).
    insertionSortByX(active);
  }
}

function insertionSortByX(active: PolyEdge[]): void {
  for (let index = 1; index < active.length; index += 1) {
    const edge = active[index];
    if (edge === undefined) continue;
    let position = index - 1;
    while (position >= 0 && (active[position]?.x ?? 0) > edge.x) {
      active[position + 1] = active[position] as PolyEdge;
      position -= 1;
    }
    active[position + 1] = edge;
  }
}

function validate(target: Mask, points: ReadonlyArray<PolygonPoint>, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw mmevolveError('invalid-input', `polygon fill value ${value} is not a byte`, 'use an integer 0..255');
  }
  if (target.width > MAX_CANVAS_SIDE || target.height > MAX_CANVAS_SIDE) {
    throw mmevolveError(
      'invalid-input',
      `canvas ${target.width}x${target.height} is too large to rasterise polygons on`,
      `keep each side at most ${MAX_CANVAS_SIDE} pixels`,
    );
  }
  for (const [x, y] of points) {
    if (!Number.isInteger(x) || !Number.isInteger(y)) {
      throw mmevolveError(
        'invalid-input',
        `polygon vertex (${x}, ${y}) is not an integer`,
        'truncate float vertices toward zero first (Math.trunc), as LISA casts them to int32',
      );
    }
    if (Math.abs(x) > MAX_COORDINATE || Math.abs(y) > MAX_COORDINATE) {
      throw mmevolveError(
        'invalid-input',
        `polygon vertex (${x}, ${y}) is too far from the image`,
        `keep vertices within ±${MAX_COORDINATE} pixels`,
      );
    }
  }
}

/**
 * Draws one closed polygon into `target` like OpenCV polylines (thickness 1, LINE_8) followed by
 * fillPoly: boundary pixels included, even-odd interior, clipped to the canvas. Vertices must be
 * integers (callers truncate floats); they may lie outside the canvas. 1 or 2 points draw a dot or line.
 */
export function fillPolygon(target: Mask, points: ReadonlyArray<PolygonPoint>, value: number): void {
  validate(target, points, value);
  if (points.length === 0 || target.width === 0 || target.height === 0) return;
  // polylines: closed outline starting from the last vertex.
  let previous = points[points.length - 1] as PolygonPoint;
  for (const point of points) {
    drawLine(target, previous[0], previous[1], point[0], point[1], value);
    previous = point;
  }
  // fillPoly: draws the outline again (same pixels) and fills the interior.
  fillEdges(target, collectEdges(target, points, value), value);
}

/**
 * Float annotation points → integer vertices the way LISA's loader casts them
 * (`np.array(points, dtype=np.int32)`): truncation toward zero, not rounding.
 */
export function truncatePoints(points: ReadonlyArray<readonly [number, number]>): PolygonPoint[] {
  return points.map(([x, y]) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw mmevolveError('invalid-input', `polygon point (${x}, ${y}) is not a finite number`, 'fix the annotation file');
    }
    return [Math.trunc(x) + 0, Math.trunc(y) + 0] as const;
  });
}

/** A new mask of `size` with one polygon drawn by `fillPolygon`. */
export function rasterizePolygon(size: Size, points: ReadonlyArray<PolygonPoint>, value = 1): Mask {
  const mask = createMask(size.width, size.height);
  fillPolygon(mask, points, value);
  return mask;
}
