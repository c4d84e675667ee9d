import { createMask, mmevolveError } from '../core/index.js';
import type { Mask, Size } from '../core/index.js';
import { drawLine } from './opencv-line.js';
import { XY_ONE, collectEdges } from './polygon-edges.js';
import type { OpenCvDrawingVersion, PolyEdge } from './polygon-edges.js';

/**
 * Polygon rasterisation that reproduces, pixel for pixel, what LISA's ReasonSeg loader draws for one
 * shape:
 *
 *     cv2.polylines(mask, [pts], True, value, 1)   # closed 1-px outline, LINE_8, no anti-aliasing
 *     cv2.fillPoly(mask, [pts], value)             # even-odd scanline fill of the interior
 *
 * The algorithm follows OpenCV's modules/imgproc/src/drawing.cpp (Line / LineIterator for the outline,
 * CollectPolyEdges + FillEdgeCollection for the fill, 16.16 fixed point with XY_SHIFT = 16); it was
 * re-implemented here. OpenCV changed the fill twice (see polygon-edges.ts); the default reproduces
 * OpenCV 4.8, the version LISA pins (opencv_python==4.8.0.74); { opencv: '4.6' } and { opencv: '4.12' }
 * reproduce the releases before and after.
 * Golden masks: scripts/fixtures/polygons.py (native 4.6) and polygons-opencv-js.cjs (OpenCV.js 4.8
 * and 4.12) → src/vision/__fixtures__/polygons*.json.
 */

export type PolygonPoint = readonly [number, number];

export type { OpenCvDrawingVersion } from './polygon-edges.js';

export interface PolygonOptions {
  /** Which OpenCV release to reproduce (default '4.8', the one LISA's requirements pin). */
  opencv?: OpenCvDrawingVersion;
}

/**
 * '4.8': LISA's requirements.txt pins opencv_python==4.8.0.74 (with numpy==1.24.2), and that is the
 * environment whose ReasonSeg ground truth we must reproduce. Its fill differs from 4.6 (Debian's
 * python3-opencv) on some polygons since opencv#23076 (see polygon-edges.ts); pass { opencv: '4.6' }
 * or { opencv: '4.12' } to reproduce those releases instead.
 */
export const DEFAULT_OPENCV_DRAWING_VERSION: OpenCvDrawingVersion = '4.8';

/**
 * Fixed-point values stay exact in float64 while |coordinate| ≤ 2^19 and the canvas is at most 2^16
 * wide or high (every product OpenCV forms in int64 then stays below 2^53).
 */
const MAX_COORDINATE = 1 << 19;
const MAX_CANVAS_SIDE = 1 << 16;

/** Arithmetic right shift by XY_SHIFT of an integer that may exceed 32 bits. */
function shiftDown(value: number): number {
  return Math.floor(value / XY_ONE);
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
function fillEdges(target: Mask, edges: PolyEdge[], value: number, version: OpenCvDrawingVersion): void {
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
        // Span from the left x rounded up (4.8: down) to the right x rounded down, both inclusive.
        let x1 = shiftDown(version === '4.8' ? low : low + XY_ONE - 1);
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
export function fillPolygon(
  target: Mask,
  points: ReadonlyArray<PolygonPoint>,
  value: number,
  options: PolygonOptions = {},
): void {
  validate(target, points, value);
  const version = options.opencv ?? DEFAULT_OPENCV_DRAWING_VERSION;
  if (points.length === 0 || target.width === 0 || target.height === 0) return;
  // polylines: closed outline starting from the last vertex.
  let previous = points[points.length - 1] as PolygonPoint;
  for (const point of points) {
    drawLine(target, previous[0], previous[1], point[0], point[1], value);
    previous = point;
  }
  // fillPoly: draws the outline again (same pixels) and fills the interior.
  fillEdges(target, collectEdges(target, points, value, version), value, version);
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
export function rasterizePolygon(
  size: Size,
  points: ReadonlyArray<PolygonPoint>,
  value = 1,
  options: PolygonOptions = {},
): Mask {
  const mask = createMask(size.width, size.height);
  fillPolygon(mask, points, value, options);
  return mask;
}
