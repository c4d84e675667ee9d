/**
 * Shape kind of one component from its geometry alone (thresholds measured on SynthWorld renders, see
 * perceive-objects.test.ts):
 * - solidity (filled area / hull area) ≈ 0.57 ⇒ star; ≈ 0.8 with concave gaps ⇒ cross;
 * - holes covering ≥ 8% of the filled area ⇒ ring;
 * - hull area / minimum-area rectangle: ≈ 0.5 ⇒ triangle (any triangle fills half its minimal
 *   rectangle), ≈ 1 ⇒ square or rectangle by the rectangle's aspect;
 * - otherwise circle vs hexagon by the hull's radial profile (min/max distance from the centre along
 *   the hull: 1 for a circle, cos 30° ≈ 0.866 for a hexagon).
 */
import type { ShapeKind } from '../world/index.js';
import type { Component } from './components.js';
import {
  componentHull,
  componentRaster,
  concaveGapSizes,
  fillHoles,
  minAreaRectangle,
  polygonArea,
  polygonPerimeter,
} from './geometry.js';
import type { Point } from './geometry.js';

export interface ShapeFeatures {
  /** The component with holes filled, in its box (1 = member or hole); built on first read when it has no holes. */
  readonly filled: Uint8Array;
  /** Convex hull of the pixel squares (counter-clockwise), computed once and reused for occlusion. */
  hull: Point[];
  area: number;
  holeArea: number;
  hullArea: number;
  hullPerimeter: number;
  solidity: number;
  /** Concave gaps of at least max(4, 0.8% of the hull area) pixels; computed on first read. */
  readonly gaps: number;
  rectangularity: number;
  aspect: number;
  /** Computed on first read. */
  readonly radialRatio: number;
}

/** Min/max distance from the hull's centroid to points sampled every pixel along the hull. */
function radialRatio(hull: readonly Point[]): number {
  // Area centroid of the hull polygon (vertex means are biased by where pixel steps put vertices).
  let twiceArea = 0;
  let centreX = 0;
  let centreY = 0;
  for (let index = 0; index < hull.length; index += 1) {
    const a = hull[index] as Point;
    const b = hull[(index + 1) % hull.length] as Point;
    const crossProduct = a[0] * b[1] - b[0] * a[1];
    twiceArea += crossProduct;
    centreX += (a[0] + b[0]) * crossProduct;
    centreY += (a[1] + b[1]) * crossProduct;
  }
  if (twiceArea === 0) return 0;
  centreX /= 3 * twiceArea;
  centreY /= 3 * twiceArea;
  let minimum = Infinity;
  let maximum = 0;
  for (let index = 0; index < hull.length; index += 1) {
    const a = hull[index] as Point;
    const b = hull[(index + 1) % hull.length] as Point;
    const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1])));
    for (let step = 0; step < steps; step += 1) {
      const t = step / steps;
      const distance = Math.hypot(a[0] + t * (b[0] - a[0]) - centreX, a[1] + t * (b[1] - a[1]) - centreY);
      if (distance < minimum) minimum = distance;
      if (distance > maximum) maximum = distance;
    }
  }
  return maximum === 0 ? 0 : minimum / maximum;
}

/** Whether every row of the component is one unbroken run of pixels (pixels are row-major sorted). */
function oneRunPerRow(component: Component, imageWidth: number): boolean {
  const pixels = component.pixels;
  for (let index = 1; index < pixels.length; index += 1) {
    const previous = pixels[index - 1] ?? 0;
    const pixel = pixels[index] ?? 0;
    // Same row but not adjacent: a gap inside the row.
    if (pixel !== previous + 1 && pixel - (pixel % imageWidth) === previous - (previous % imageWidth)) return false;
  }
  return true;
}

export function shapeFeatures(component: Component, imageWidth: number): ShapeFeatures {
  const [x1, y1, x2, y2] = component.box;
  const [localWidth, localHeight] = [x2 - x1, y2 - y1];
  // A hole needs members left and right of it in its row: with one run per row there is none to fill,
  // and the raster is built only if read (occlusion and gaps need it rarely; issue 4).
  let filled: Uint8Array | undefined;
  let sizes: number[] = [];
  if (!oneRunPerRow(component, imageWidth)) ({ sizes, filled } = fillHoles(componentRaster(component, imageWidth).raster, localWidth, localHeight));
  const filledRaster = (): Uint8Array => {
    filled ??= componentRaster(component, imageWidth).raster;
    return filled;
  };
  const holeArea = sizes.reduce((sum, size) => sum + size, 0);
  const area = component.pixels.length;
  const hull = componentHull(component, imageWidth);
  const hullArea = polygonArea(hull);
  const rectangle = minAreaRectangle(hull);
  const significantGap = Math.max(4, 0.008 * hullArea);
  // The gap count and radial profile are computed on first read: classifyShape reads them only for
  // shapes that got that far (gaps only below solidity 0.88, so never for convex shapes; issue 4).
  let gaps: number | undefined;
  let radial: number | undefined;
  return {
    get filled(): Uint8Array {
      return filledRaster();
    },
    hull,
    area,
    holeArea,
    hullArea,
    hullPerimeter: polygonPerimeter(hull),
    solidity: hullArea === 0 ? 0 : (area + holeArea) / hullArea,
    get gaps(): number {
      gaps ??= concaveGapSizes(hull, filledRaster(), localWidth, localHeight, x1, y1).filter((size) => size >= significantGap).length;
      return gaps;
    },
    rectangularity: rectangle.area === 0 ? 0 : hullArea / rectangle.area,
    aspect: rectangle.short === 0 ? Infinity : rectangle.long / rectangle.short,
    get radialRatio(): number {
      radial ??= radialRatio(hull);
      return radial;
    },
  };
}

export function classifyShape(features: ShapeFeatures): ShapeKind {
  if (features.holeArea >= 0.08 * (features.area + features.holeArea)) return 'ring';
  // Solidity: star ≈ 0.57 (inner ratio 0.45), cross ≈ 0.80 (arm ratio 0.34), convex shapes ≥ 0.9.
  if (features.solidity < 0.68) return 'star';
  if (features.solidity < 0.88 && features.gaps >= 3) return 'cross';
  // Hull area / minimal rectangle: triangle 0.5, hexagon 0.75, circle 0.785, square/rectangle 1.
  if (features.rectangularity < 0.64) return 'triangle';
  if (features.rectangularity > 0.9) return features.aspect < 1.25 ? 'square' : 'rectangle';
  return features.radialRatio > 0.92 ? 'circle' : 'hexagon';
}
