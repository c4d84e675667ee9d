/**
 * One ReasonSeg-style sample of SynthWorld: a scene, a query, and the LabelMe-style JSON LISA's loader
 * reads (text, is_sentence, shapes with 'target' and 'ignore' polygons, image size). The target is never
 * occluded and is exported as the very polygon it was drawn with, so the loader's rasterisation
 * (truncate, polylines + fillPoly, larger areas first) reproduces the rendered mask exactly.
 */
import type { Mask } from '../../core/index.js';
import { rasterizePolygon } from '../../vision/index.js';
import { generateSegQuery } from './queries.js';
import type { SegQuery } from './queries.js';
import { renderScene } from './render.js';
import type { RenderedScene } from './render.js';
import { createRng, hashSeed } from './rng.js';
import { generateScene } from './scene.js';
import type { Scene } from './scene-types.js';
import type { Point } from './shapes.js';

export interface LabelMeShape {
  readonly label: 'target' | 'ignore';
  readonly points: Point[];
  readonly group_id: null;
  readonly shape_type: 'polygon';
  readonly flags: Record<string, never>;
}

export interface LabelMeJson {
  readonly text: string[];
  readonly is_sentence: boolean;
  readonly shapes: LabelMeShape[];
  readonly imagePath: string;
  readonly imageData: null;
  readonly imageHeight: number;
  readonly imageWidth: number;
}

export interface ReasonSegSample {
  readonly name: string;
  readonly scene: Scene;
  readonly rendered: RenderedScene;
  readonly query: SegQuery;
  /** Objects exported as ignore regions. */
  readonly ignoreIndices: number[];
  readonly labelme: LabelMeJson;
}

export function sampleName(index: number): string {
  return `synth-${String(index).padStart(6, '0')}`;
}

/** The sample with this index of the dataset with this seed: a pure function of (seed, index). */
export function buildReasonSegSample(seed: number, index: number): ReasonSegSample {
  const scene = generateScene(hashSeed(`reasonseg-scene:${index}`, seed));
  const rendered = renderScene(scene);
  const query = generateSegQuery(rendered.objects, rendered.fullyVisible, createRng(hashSeed(`reasonseg-query:${index}`, seed)));
  const ignoreIndices = query.targetIndex === null ? [] : lookAlikes(scene, rendered, query.targetIndex);
  const name = sampleName(index);
  const shape = (label: LabelMeShape['label'], objectIndex: number): LabelMeShape => ({
    label,
    points: (scene.objects[objectIndex]?.polygon ?? []).map(([x, y]) => [x, y] as const),
    group_id: null,
    shape_type: 'polygon',
    flags: {},
  });
  const labelme: LabelMeJson = {
    text: [query.query],
    is_sentence: query.isSentence,
    shapes: [
      ...(query.targetIndex === null ? [] : [shape('target', query.targetIndex)]),
      ...ignoreIndices.map((objectIndex) => shape('ignore', objectIndex)),
    ],
    imagePath: `${name}.jpg`,
    imageData: null,
    imageHeight: scene.height,
    imageWidth: scene.width,
  };
  return { name, scene, rendered, query, ignoreIndices, labelme };
}

/**
 * Half-hidden look-alikes of the target (same shape or same colour, partly covered): a model may fairly
 * take them for the target, so they are ignored in scoring. Skipped when the polygon would touch the
 * target's pixels (it never does for same-coloured objects, which are kept apart).
 */
function lookAlikes(scene: Scene, rendered: RenderedScene, targetIndex: number): number[] {
  const target = scene.objects[targetIndex];
  if (target === undefined) return [];
  const targetMask = rasterizePolygon(scene, target.polygon);
  return scene.objects.flatMap((object, index) => {
    if (index === targetIndex || rendered.fullyVisible[index] === true) return [];
    if (object.shape !== target.shape && object.colour !== target.colour) return [];
    return overlaps(rasterizePolygon(scene, object.polygon), targetMask) ? [] : [index];
  });
}

function overlaps(a: Mask, b: Mask): boolean {
  for (let pixel = 0; pixel < a.data.length; pixel += 1) if (a.data[pixel] === 1 && b.data[pixel] === 1) return true;
  return false;
}
