/**
 * Test support for the simulated servers: SynthWorld scenes with a query, PNG data URLs, and overlays
 * blended exactly as vision's renderOverlay documents (round(0.5·c + 0.5·pixel) on mask pixels).
 */
import sharp from 'sharp';
import type { Mask, RgbImage } from '../../core/index.js';
import { rasterizePolygon } from '../../vision/index.js';
import { createRng, generateScene, generateSegQuery, renderBackground, renderScene } from '../world/index.js';
import type { RenderedScene, Scene, SegQuery } from '../world/index.js';

export async function pngBase64(image: RgbImage): Promise<string> {
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
  return png.toString('base64');
}

export async function pngDataUrl(image: RgbImage): Promise<string> {
  return `data:image/png;base64,${await pngBase64(image)}`;
}

export function blendOverlay(image: RgbImage, mask: Mask, colour: readonly [number, number, number] = [0, 255, 255]): RgbImage {
  const data = Uint8Array.from(image.data);
  for (let pixel = 0; pixel < mask.data.length; pixel += 1) {
    if (mask.data[pixel] === 0) continue;
    for (let channel = 0; channel < 3; channel += 1) {
      data[pixel * 3 + channel] = Math.round(0.5 * (colour[channel] ?? 0) + 0.5 * (image.data[pixel * 3 + channel] ?? 0));
    }
  }
  return { width: image.width, height: image.height, data };
}

export interface SceneFixture {
  scene: Scene;
  rendered: RenderedScene;
  query: SegQuery;
}

/** A scene and a segmentation query whose target is fully visible (or null for no target). */
export function sceneFixture(seed: number, options: { sentenceRate?: number; noTargetRate?: number; width?: number; height?: number } = {}): SceneFixture {
  const scene = generateScene(seed, { width: options.width ?? 640, height: options.height ?? 480 });
  const rendered = renderScene(scene);
  const fullyVisible = scene.objects.map((object, index) => {
    const full = rasterizePolygon(scene, object.polygon);
    const visible = rendered.instanceMasks[index];
    let same = visible !== undefined;
    for (let pixel = 0; same && pixel < full.data.length; pixel += 1) if (full.data[pixel] !== visible?.data[pixel]) same = false;
    return same;
  });
  const query = generateSegQuery(rendered.objects, fullyVisible, createRng(seed + 1000), {
    sentenceRate: options.sentenceRate ?? 0.5,
    noTargetRate: options.noTargetRate ?? 0,
  });
  return { scene, rendered, query };
}

export type TargetVisibility = 'full' | 'half' | 'hidden';

/**
 * Video frames of a scene in which the target shows whole, only its right half, or not at all: its pixels
 * (all, or those left of its middle) painted with the scene's background.
 */
export function framesWithTarget(fixture: SceneFixture, target: Mask, pattern: readonly TargetVisibility[]): RgbImage[] {
  const { scene, rendered } = fixture;
  const background = renderBackground(scene.width, scene.height, scene.background);
  const width = rendered.image.width;
  let minX = width;
  let maxX = 0;
  for (let pixel = 0; pixel < target.data.length; pixel += 1) {
    if (target.data[pixel] === 0) continue;
    minX = Math.min(minX, pixel % width);
    maxX = Math.max(maxX, pixel % width);
  }
  return pattern.map((visible) => {
    if (visible === 'full') return rendered.image;
    const cut = visible === 'hidden' ? width : (minX + maxX) / 2;
    const data = Uint8Array.from(rendered.image.data);
    for (let pixel = 0; pixel < target.data.length; pixel += 1) {
      if (target.data[pixel] !== 0 && pixel % width < cut) data.set(background.data.subarray(pixel * 3, pixel * 3 + 3), pixel * 3);
    }
    return { width, height: rendered.image.height, data };
  });
}
