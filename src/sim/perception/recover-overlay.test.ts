import { describe, expect, it } from 'vitest';
import type { Mask, RgbImage } from '../../core/index.js';
import { maskIou } from '../../vision/index.js';
import { objectMask } from './masks.js';
import { perceiveObjects } from './perceive-objects.js';
import { recoverOverlay, recoverOverlayMask } from './recover-overlay.js';
import { jpegRoundTrip, renderGrid } from './test-grid.js';

/** The documented overlay blend (alpha 0.5) plus a solid 1-px box outline, as renderOverlay draws. */
function blend(image: RgbImage, mask: Mask, colour: readonly [number, number, number]): RgbImage {
  const data = Uint8Array.from(image.data);
  let x1 = image.width;
  let y1 = image.height;
  let x2 = 0;
  let y2 = 0;
  for (let pixel = 0; pixel < mask.data.length; pixel += 1) {
    if (mask.data[pixel] !== 1) continue;
    const x = pixel % image.width;
    const y = Math.floor(pixel / image.width);
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
    for (let channel = 0; channel < 3; channel += 1) {
      data[pixel * 3 + channel] = Math.round(0.5 * colour[channel]! + 0.5 * (image.data[pixel * 3 + channel] ?? 0));
    }
  }
  for (let x = x1 - 2; x <= x2 + 2; x += 1) {
    for (const y of [y1 - 2, y2 + 2]) if (x >= 0 && y >= 0 && x < image.width && y < image.height) data.set(colour, (y * image.width + x) * 3);
  }
  return { width: image.width, height: image.height, data };
}

describe('recoverOverlayMask', () => {
  it('recovers the exact mask of a lossless overlay, ignoring the box outline', () => {
    const { image } = renderGrid(7);
    const objects = perceiveObjects(image);
    const target = objects[3];
    expect(target, 'grid scene has objects').toBeDefined();
    const mask = objectMask(image.width, image.height, target?.pixels ?? []);
    const recovered = recoverOverlay(image, blend(image, mask, [0, 255, 255]));
    // round(0.5·c + 0.5·raw) loses half a level, so the estimate may be off by one.
    recovered.colour?.forEach((value, channel) => expect(Math.abs(value - [0, 255, 255][channel]!)).toBeLessThanOrEqual(1));
    expect(recovered.colour).toBeDefined();
    expect(maskIou(recovered.mask, mask)).toBe(1);
  });

  it('recovers a two-object mask after JPEG q90 with IoU above 0.97', async () => {
    const { image } = renderGrid(8);
    const objects = perceiveObjects(image);
    const pixels = [...(objects[0]?.pixels ?? []), ...(objects[5]?.pixels ?? [])];
    const mask = objectMask(image.width, image.height, pixels);
    const raw = await jpegRoundTrip(image, 90);
    const overlay = await jpegRoundTrip(blend(image, mask, [255, 255, 0]), 90);
    expect(maskIou(recoverOverlayMask(raw, overlay), mask)).toBeGreaterThan(0.97);
  });

  it('returns an empty mask when the overlay equals the raw image', () => {
    const { image } = renderGrid(9);
    const recovered = recoverOverlay(image, image);
    expect(recovered.colour).toBeUndefined();
    expect(recovered.mask.data.some((value) => value !== 0)).toBe(false);
  });
});

describe('recoverOverlayMask on overlays drawn by vision.renderOverlay', () => {
  it('recovers SynthWorld object masks under box outlines and label tags, lossless and after JPEG q90', async () => {
    const { generateScene, renderScene } = await import('../world/index.js');
    const { renderOverlay } = await import('../../vision/index.js');
    let worst = 1;
    let worstJpeg = 1;
    for (let seed = 1; seed <= 12; seed += 1) {
      const rendered = renderScene(generateScene(seed));
      const index = seed % rendered.instanceMasks.length;
      const mask = rendered.instanceMasks[index];
      if (mask === undefined) continue;
      const overlay = renderOverlay(rendered.image, mask, { outlineBox: true, labels: ['1'] });
      worst = Math.min(worst, maskIou(recoverOverlayMask(rendered.image, overlay), mask));
      const raw = await jpegRoundTrip(rendered.image, 90);
      worstJpeg = Math.min(worstJpeg, maskIou(recoverOverlayMask(raw, await jpegRoundTrip(overlay, 90)), mask));
    }
    // Measured: worst IoU 1.0 lossless and 0.990 after JPEG q90 over these 12 scenes.
    expect(worst, 'lossless worst IoU').toBeGreaterThan(0.97);
    expect(worstJpeg, 'JPEG q90 worst IoU').toBeGreaterThan(0.97);
  });
});
