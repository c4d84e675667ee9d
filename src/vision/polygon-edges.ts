import type { Mask } from '../core/index.js';
import { clipLine, divideTruncating, drawLine, isOutside } from './opencv-line.js';
import type { LinePoints } from './opencv-line.js';

/**
 * drawing.cpp CollectPolyEdges for shift 0 and LINE_8, in the three forms OpenCV has shipped. It draws
 * every polygon edge with Line() and returns the non-horizontal edges for the scanline fill, with x in
 * 16.16 fixed point. The forms differ in where an edge starts and how a span's left end is rounded
 * (polygon.ts FillEdgeCollection):
 *
 * - '4.6' (OpenCV ≤ 4.7; Debian bookworm's python3-opencv): edges from the unclipped vertices; a span
 *   starts at the left x rounded up.
 * - '4.8' (opencv/opencv#23076 "Fix occuring artifacts in fillPoly"; LISA pins opencv_python==4.8.0.74):
 *   an edge leaving the canvas is rebuilt from the endpoints Line() clips it to (unless they fall on
 *   one row) and extrapolated back to the vertex row; an edge inside the canvas is shifted right by
 *   half a pixel; a span starts at the left x rounded down.
 * - '4.12' (newest release checked): clipped rows as 4.8, x always from the (clipped) integer
 *   endpoints, no half-pixel shift, left x rounded up again.
 *
 * Each form is pinned by golden masks: 4.6 from the native library, 4.8 and 4.12 from the official
 * OpenCV.js builds of those releases (the same drawing.cpp compiled to WebAssembly; its 4.6 build
 * reproduces native 4.6 on every fixture).
 */
export type OpenCvDrawingVersion = '4.6' | '4.8' | '4.12';

export interface PolyEdge {
  y0: number;
  y1: number;
  x: number;
  dx: number;
}

/** drawing.cpp: XY_SHIFT = 16, XY_ONE = 1 << XY_SHIFT. */
export const XY_ONE = 65536;
const HALF_XY_ONE = XY_ONE / 2;

interface FixedEndpoints {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The endpoints (x in 16.16) that the edge's slope and start are computed from, per version. */
function edgeEndpoints(target: Mask, segment: LinePoints, version: OpenCvDrawingVersion): FixedEndpoints {
  const fixed = { x0: segment.x0 * XY_ONE, y0: segment.y0, x1: segment.x1 * XY_ONE, y1: segment.y1 };
  if (version === '4.6') return fixed;
  const outside = isOutside(target, segment.x0, segment.y0) || isOutside(target, segment.x1, segment.y1);
  if (!outside) {
    if (version === '4.8') {
      // Pixel centres: with the left end rounded down, spans cover pixels whose centre is inside.
      fixed.x0 += HALF_XY_ONE;
      fixed.x1 += HALF_XY_ONE;
    }
    return fixed;
  }
  // OpenCV ignores clipLine's result: a segment entirely outside keeps whatever partial updates it got.
  const clipped: LinePoints = { ...segment };
  clipLine(target.width, target.height, clipped);
  if (clipped.y0 !== clipped.y1) {
    return { x0: clipped.x0 * XY_ONE, y0: clipped.y0, x1: clipped.x1 * XY_ONE, y1: clipped.y1 };
  }
  if (version === '4.12') {
    // 4.12 takes x from the clipped endpoints even when it keeps the original rows.
    fixed.x0 = clipped.x0 * XY_ONE;
    fixed.x1 = clipped.x1 * XY_ONE;
  }
  return fixed;
}

/** Draws the closed outline as fillPoly does and returns the fill edges. */
export function collectEdges(
  target: Mask,
  points: ReadonlyArray<readonly [number, number]>,
  value: number,
  version: OpenCvDrawingVersion,
): PolyEdge[] {
  const edges: PolyEdge[] = [];
  const last = points[points.length - 1];
  if (last === undefined) return edges;
  let previous = last;
  for (const point of points) {
    const segment: LinePoints = { x0: previous[0], y0: previous[1], x1: point[0], y1: point[1] };
    drawLine(target, segment.x0, segment.y0, segment.x1, segment.y1, value);
    if (segment.y0 !== segment.y1) {
      const ends = edgeEndpoints(target, segment, version);
      const dx = divideTruncating(ends.x1 - ends.x0, ends.y1 - ends.y0);
      // Start x at the vertex row, extrapolating along the (possibly clipped) edge.
      if (segment.y0 < segment.y1) {
        edges.push({ y0: segment.y0, y1: segment.y1, x: ends.x0 + (segment.y0 - ends.y0) * dx, dx });
      } else {
        edges.push({ y0: segment.y1, y1: segment.y0, x: ends.x1 + (segment.y1 - ends.y1) * dx, dx });
      }
    }
    previous = point;
  }
  return edges;
}
