/**
 * Integer polygons for every shape kind. Each object is drawn AS its polygon (LISA/OpenCV polylines +
 * fillPoly), so the LabelMe polygon we export reproduces the rendered pixels exactly. A ring is a
 * keyhole polygon: outer contour, a horizontal slit (horizontal edges are skipped by fillPoly and the
 * outline of the slit lies inside the ring's body), then the inner contour reversed.
 */
import type { ShapeKind } from './vocabulary.js';

export type Point = readonly [x: number, y: number];

export interface ShapeGeometry {
  readonly shape: ShapeKind;
  /** Centre in pixel coordinates (integer, so symmetric shapes stay symmetric). */
  readonly centre: Point;
  /** Circumradius in pixels. */
  readonly radius: number;
  /** Rotation in radians (ignored for circle and ring). */
  readonly rotation: number;
  /** Width/height ratio of a rectangle (≥ 1.5); 1 for other shapes. */
  readonly aspect: number;
}

/** Inner radius of a ring, relative to its outer radius. */
export const RING_INNER_RATIO = 0.55;
/** Inner radius of a star's concave corners, relative to its tips. */
const STAR_INNER_RATIO = 0.45;
/** Half-width of a cross's arms, relative to its radius. */
const CROSS_ARM_RATIO = 0.34;

export function shapePolygon(geometry: ShapeGeometry): Point[] {
  const { shape, centre, radius, rotation, aspect } = geometry;
  switch (shape) {
    case 'circle':
      return circle(centre, radius);
    case 'ring':
      return ring(centre, radius, Math.max(3, radius * RING_INNER_RATIO));
    case 'square':
      return regular(centre, radius, 4, rotation + Math.PI / 4);
    case 'rectangle': {
      const halfHeight = radius / Math.sqrt(1 + aspect * aspect);
      const halfWidth = halfHeight * aspect;
      return transform(
        [
          [-halfWidth, -halfHeight],
          [halfWidth, -halfHeight],
          [halfWidth, halfHeight],
          [-halfWidth, halfHeight],
        ],
        centre,
        rotation,
      );
    }
    case 'triangle':
      return regular(centre, radius, 3, rotation - Math.PI / 2);
    case 'hexagon':
      return regular(centre, radius, 6, rotation);
    case 'star': {
      const points: [number, number][] = [];
      for (let index = 0; index < 10; index += 1) {
        const length = index % 2 === 0 ? radius : radius * STAR_INNER_RATIO;
        const angle = rotation - Math.PI / 2 + (index * Math.PI) / 5;
        points.push([length * Math.cos(angle), length * Math.sin(angle)]);
      }
      return transform(points, centre, 0);
    }
    case 'cross': {
      const arm = radius * CROSS_ARM_RATIO;
      const tip = radius / Math.SQRT2 + arm * 0.3;
      const outline: [number, number][] = [
        [-arm, -tip], [arm, -tip], [arm, -arm], [tip, -arm], [tip, arm], [arm, arm],
        [arm, tip], [-arm, tip], [-arm, arm], [-tip, arm], [-tip, -arm], [-arm, -arm],
      ];
      return transform(outline, centre, rotation);
    }
  }
}

function transform(points: readonly (readonly [number, number])[], centre: Point, rotation: number): Point[] {
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  return points.map(([x, y]) => [Math.round(centre[0] + x * cos - y * sin), Math.round(centre[1] + x * sin + y * cos)]);
}

function regular(centre: Point, radius: number, sides: number, rotation: number): Point[] {
  const points: [number, number][] = [];
  for (let index = 0; index < sides; index += 1) {
    const angle = rotation + (index * 2 * Math.PI) / sides;
    points.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
  }
  return transform(points, centre, 0);
}

/** Enough vertices that the polygon's edges stay within about a third of a pixel of the true circle. */
function circleVertexCount(radius: number): number {
  return Math.max(16, Math.min(128, Math.ceil(Math.PI / Math.acos(Math.max(0, 1 - 0.3 / radius)))));
}

function circle(centre: Point, radius: number): Point[] {
  return dedupe(regular(centre, radius, circleVertexCount(radius), 0));
}

function ring(centre: Point, outer: number, inner: number): Point[] {
  const outerContour = circle(centre, outer);
  const innerContour = circle(centre, inner);
  const outerStart = outerContour[0] as Point;
  const innerStart = innerContour[0] as Point;
  // Walk the outer contour, close it, cross the slit, walk the inner contour backwards, close it.
  return [...outerContour, outerStart, innerStart, ...innerContour.slice(1).reverse(), innerStart];
}

/** Rounding may repeat a vertex on small circles; repeated consecutive vertices add nothing. */
function dedupe(points: Point[]): Point[] {
  return points.filter((point, index) => {
    const previous = points[(index + points.length - 1) % points.length] as Point;
    return index === 0 || point[0] !== previous[0] || point[1] !== previous[1];
  });
}

export function polygonBounds(points: readonly Point[]): readonly [x1: number, y1: number, x2: number, y2: number] {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const [x, y] of points) {
    x1 = Math.min(x1, x);
    y1 = Math.min(y1, y);
    x2 = Math.max(x2, x);
    y2 = Math.max(y2, y);
  }
  // Pixel-edge box of the drawn pixels: the outline covers the vertex pixels themselves.
  return [x1, y1, x2 + 1, y2 + 1];
}
