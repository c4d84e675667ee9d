/**
 * OpenCV drawing.cpp clipLine(Size2l, Point2l&, Point2l&), used by polygon.ts to clip outline segments
 * exactly as OpenCV's LineIterator does before walking them.
 */

/** C integer division (truncates toward zero); exact for |operands| < 2^53. */
function divideTruncating(numerator: number, denominator: number): number {
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
