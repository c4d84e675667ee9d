/**
 * Rendering a Scene: background, then every object drawn as its integer polygon in order (later objects
 * cover earlier ones), no anti-aliasing. An object's instance mask is its visible pixels, so ground truth
 * equals what the image shows.
 */
import { createMask } from '../../core/index.js';
import type { Mask, RgbImage } from '../../core/index.js';
import { fillPolygon, rasterizePolygon } from '../../vision/index.js';
import { createRng } from './rng.js';
import { polygonBounds } from './shapes.js';
import { countInBox } from './visibility.js';
import type { Scene, SceneBackground, SceneObject } from './scene-types.js';
import { colourRgb } from './vocabulary.js';
import type { ObjectView, Rgb } from './vocabulary.js';

export interface RenderedScene {
  readonly image: RgbImage;
  /** Visible pixels of each object (1 = visible), in scene order. */
  readonly instanceMasks: Mask[];
  /** Each object's ground-truth description from its visible pixels. */
  readonly objects: ObjectView[];
  /** 0 = background, i + 1 = object i on top at that pixel. */
  readonly labels: Mask;
  /** Pixels each object's polygon covers when drawn alone. */
  readonly fullAreas: number[];
  /** Whether each object shows all of its pixels (no later object covers any). */
  readonly fullyVisible: boolean[];
}

/** The label map alone (cheap: used while laying scenes out). At most 254 objects. */
export function rasterizeLabels(width: number, height: number, objects: readonly SceneObject[]): Mask {
  const labels = createMask(width, height);
  objects.forEach((object, index) => fillPolygon(labels, object.polygon, index + 1));
  return labels;
}

export function renderScene(scene: Scene): RenderedScene {
  const { width, height, objects } = scene;
  const labels = rasterizeLabels(width, height, objects);
  const image = renderBackground(width, height, scene.background);
  const palette = objects.map((object) => colourRgb(object.colour));
  const instanceMasks = objects.map(() => createMask(width, height));
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    const label = labels.data[pixel] ?? 0;
    if (label === 0) continue;
    const rgb = palette[label - 1] as Rgb;
    image.data[pixel * 3] = rgb[0];
    image.data[pixel * 3 + 1] = rgb[1];
    image.data[pixel * 3 + 2] = rgb[2];
    (instanceMasks[label - 1] as Mask).data[pixel] = 1;
  }
  const views = objectViews(labels, objects);
  const fullAreas = objects.map((object) => countInBox(rasterizePolygon(labels, object.polygon), polygonBounds(object.polygon)));
  const fullyVisible = views.map((view, index) => view.area === fullAreas[index]);
  const withOcclusion = views.map((view, index) => ({ ...view, occluded: fullyVisible[index] !== true }));
  return { image, instanceMasks, objects: withOcclusion, labels, fullAreas, fullyVisible };
}

/** ObjectViews from the visible pixels of a label map (one pass over the image). */
export function objectViews(labels: Mask, objects: readonly SceneObject[]): ObjectView[] {
  const count = objects.length;
  const area = new Float64Array(count);
  const sumX = new Float64Array(count);
  const sumY = new Float64Array(count);
  const minX = new Float64Array(count).fill(Infinity);
  const minY = new Float64Array(count).fill(Infinity);
  const maxX = new Float64Array(count).fill(-Infinity);
  const maxY = new Float64Array(count).fill(-Infinity);
  for (let y = 0; y < labels.height; y += 1) {
    for (let x = 0; x < labels.width; x += 1) {
      const label = labels.data[y * labels.width + x] ?? 0;
      if (label === 0) continue;
      const index = label - 1;
      area[index] = (area[index] ?? 0) + 1;
      sumX[index] = (sumX[index] ?? 0) + x + 0.5;
      sumY[index] = (sumY[index] ?? 0) + y + 0.5;
      minX[index] = Math.min(minX[index] ?? Infinity, x);
      minY[index] = Math.min(minY[index] ?? Infinity, y);
      maxX[index] = Math.max(maxX[index] ?? -Infinity, x);
      maxY[index] = Math.max(maxY[index] ?? -Infinity, y);
    }
  }
  return objects.map((object, index) => {
    const pixels = area[index] ?? 0;
    return {
      shape: object.shape,
      colour: object.colour,
      box: [minX[index] ?? 0, minY[index] ?? 0, (maxX[index] ?? -1) + 1, (maxY[index] ?? -1) + 1],
      centroid: [(sumX[index] ?? 0) / Math.max(1, pixels), (sumY[index] ?? 0) / Math.max(1, pixels)],
      area: pixels,
    };
  });
}

export function renderBackground(width: number, height: number, background: SceneBackground): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const put = (pixel: number, rgb: Rgb): void => {
    data[pixel * 3] = rgb[0];
    data[pixel * 3 + 1] = rgb[1];
    data[pixel * 3 + 2] = rgb[2];
  };
  if (background.kind === 'flat') {
    for (let pixel = 0; pixel < width * height; pixel += 1) put(pixel, background.colour);
  } else if (background.kind === 'gradient') {
    const { from, to, direction } = background;
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const t =
          direction === 'horizontal'
            ? x / Math.max(1, width - 1)
            : direction === 'vertical'
              ? y / Math.max(1, height - 1)
              : (x + y) / Math.max(1, width + height - 2);
        put(y * width + x, [mix(from[0], to[0], t), mix(from[1], to[1], t), mix(from[2], to[2], t)]);
      }
    }
  } else {
    const rng = createRng(background.seed);
    const { colour, amplitude } = background;
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      put(pixel, [
        colour[0] + rng.int(-amplitude, amplitude),
        colour[1] + rng.int(-amplitude, amplitude),
        colour[2] + rng.int(-amplitude, amplitude),
      ]);
    }
  }
  return { width, height, data };
}

function mix(from: number, to: number, t: number): number {
  return Math.round(from + (to - from) * t);
}
