import type { Mask } from '../core/index.js';

/**
 * OpenCV drawing.cpp line primitives used by polygon rasterisation: clipLine (Cohen–Sutherland with
 * OpenCV's exact integer updates) and Line() with LINE_8 (LineIterator's Bresenham, left to right).
 * These are the same in OpenCV 4.6, 4.8 and 4.12.
 */

/** C integer division (truncates toward zero); exact for |operands| < 2^53. */
export function divideTruncating(numerator: number, denominator: number): number {
  return Math.trunc(numerator / denominator);
}

export interface LinePoints {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * drawing.cpp clipLine(Size2l, Point2l&, Point2l&): Cohen–Sutherland style clipping to
 * [0, width-1] × [0, height-1]. Mutates `line` exactly as OpenCV mutates its points (including the
 * partial updates it makes when the line turns out to be outside) and returns whether it is inside.
 */
export function clipLine(width: number, height: number, line: LinePoints): boolean {
  if (width <= 0 || height <= 0) return false;
  const right = width - 1;
  const bottom = height - 1;
  const outcode = (x: number, y: number): number =>
    (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0);
  let code0 = outcode(line.x0, line.y0);
  let code1 = outcode(line.x1, line.y1);
  if ((code0 & code1) === 0 && (code0 | code1) !== 0) {
    if (code0 & 12) {
      const edgeY = code0 < 8 ? 0 : bottom;
      line.x0 += divideTruncating((edgeY - line.y0) * (line.x1 - line.x0), line.y1 - line.y0);
      line.y0 = edgeY;
      code0 = (line.x0 < 0 ? 1 : 0) + (line.x0 > right ? 2 : 0);
    }
    if (code1 & 12) {
      const edgeY = code1 < 8 ? 0 : bottom;
      line.x1 += divideTruncating((edgeY - line.y1) * (line.x1 - line.x0), line.y1 - line.y0);
      line.y1 = edgeY;
      code1 = (line.x1 < 0 ? 1 : 0) + (line.x1 > right ? 2 : 0);
    }
    if ((code0 & code1) === 0 && (code0 | code1) !== 0) {
      if (code0) {
        const edgeX = code0 === 1 ? 0 : right;
        line.y0 += divideTruncating((edgeX - line.x0) * (line.y1 - line.y0), line.x1 - line.x0);
        line.x0 = edgeX;
        code0 = 0;
      }
      if (code1) {
        const edgeX = code1 === 1 ? 0 : right;
        line.y1 += divideTruncating((edgeX - line.x1) * (line.y1 - line.y0), line.x1 - line.x0);
        line.x1 = edgeX;
        code1 = 0;
      }
    }
  }
  return (code0 | code1) === 0;
}

export function isOutside(target: Mask, x: number, y: number): boolean {
  return x < 0 || x >= target.width || y < 0 || y >= target.height;
}

/** drawing.cpp Line() with LINE_8: LineIterator (left to right) over the clipped segment. */
export function drawLine(target: Mask, x0: number, y0: number, x1: number, y1: number, value: number): void {
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
