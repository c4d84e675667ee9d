/**
 * What the simulated models see: palette-coloured objects found in the pixels alone.
 */
import type { RgbImage } from '../../core/index.js';
import { COLOURS } from '../world/index.js';
import type { ObjectView, ShapeKind } from '../world/index.js';
import { paletteComponents } from './components.js';
import type { Component } from './components.js';
import { classifyShape, shapeFeatures } from './classify-shape.js';
import { estimateOcclusion } from './occlusion.js';
import type { OcclusionInput } from './occlusion.js';

/**
 * Largest RGB distance from a palette colour still counted as that colour. Backgrounds stay ≥ 123 from
 * every palette colour (world vocabulary), palette colours are ≥ 85 apart; 60 keeps JPEG q≥90 interiors.
 */
export const PALETTE_DISTANCE = 60;

/** Components smaller than this are JPEG edge debris or slivers of occluded objects. */
export const MIN_OBJECT_AREA = 30;

export interface PerceivedObject extends ObjectView {
  /** Row-major pixel indices of the object's visible pixels. */
  readonly pixels: Int32Array;
}

function toView(component: Component, width: number, shape: ShapeKind, occluded: boolean): PerceivedObject | undefined {
  const colour = COLOURS[component.label];
  if (colour === undefined) return undefined;
  // Integer sums (exact in doubles); pixels are row-major sorted, so the row advances monotonically.
  let sumX = 0;
  let sumY = 0;
  let y = 0;
  let rowStart = 0;
  for (const pixel of component.pixels) {
    while (pixel >= rowStart + width) {
      rowStart += width;
      y += 1;
    }
    sumX += pixel - rowStart;
    sumY += y;
  }
  const area = component.pixels.length;
  return {
    shape,
    colour: colour.name,
    box: component.box,
    centroid: [sumX / area + 0.5, sumY / area + 0.5],
    area,
    occluded,
    pixels: component.pixels,
  };
}

/**
 * Every palette-coloured component of at least MIN_OBJECT_AREA pixels, in scan order of first pixel,
 * with `occluded` estimated from touching components (see occlusion.ts).
 */
export function perceiveObjects(image: RgbImage): PerceivedObject[] {
  const components = paletteComponents(image, COLOURS, PALETTE_DISTANCE, MIN_OBJECT_AREA);
  const kept: (OcclusionInput & { shape: ShapeKind })[] = [];
  for (const component of components) {
    // Thin slivers (JPEG ringing along an edge) have area ≪ half-perimeter × 2.
    const [x1, y1, x2, y2] = component.box;
    if (component.pixels.length < 1.5 * Math.max(x2 - x1, y2 - y1)) continue;
    const features = shapeFeatures(component, image.width);
    kept.push({
      component,
      hull: features.hull,
      room: Math.max(0, features.hullArea - features.area - features.holeArea),
      // Read only if occlusion needs it (objects that touch another).
      get filled(): Uint8Array {
        return features.filled;
      },
      shape: classifyShape(features),
    });
  }
  const occluded = estimateOcclusion(kept, image.width, image.height);
  const objects: PerceivedObject[] = [];
  kept.forEach((input, index) => {
    const view = toView(input.component, image.width, input.shape, occluded.has(index));
    if (view !== undefined) objects.push(view);
  });
  return objects;
}
