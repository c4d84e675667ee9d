import { describe, expect, it } from 'vitest';
import { createMask } from '../../core/index.js';
import { rasterizePolygon } from '../../vision/index.js';
import { generateScene, renderScene } from '../world/index.js';
import { maskPolygons } from './mask-polygons.js';

describe('maskPolygons', () => {
  it('traces a 2×2 square clockwise from its top-left pixel and a single pixel as one point', () => {
    const mask = createMask(4, 4);
    for (const pixel of [5, 6, 9, 10]) mask.data[pixel] = 1;
    expect(maskPolygons(mask)).toEqual([[[1, 1], [2, 1], [2, 2], [1, 2]]]);
    const dot = createMask(3, 3);
    dot.data[4] = 1;
    expect(maskPolygons(dot)).toEqual([[[1, 1]]]);
  });

  it('reproduces every hole-free SynthWorld instance mask exactly when the polygon is filled OpenCV-style', () => {
    for (let seed = 1; seed <= 5; seed += 1) {
      const rendered = renderScene(generateScene(seed));
      rendered.instanceMasks.forEach((mask, index) => {
        if (rendered.objects[index]?.shape === 'ring') return;
        const polygons = maskPolygons(mask);
        const filled = createMask(mask.width, mask.height);
        for (const polygon of polygons) {
          const part = rasterizePolygon(mask, polygon);
          part.data.forEach((value, pixel) => {
            if (value !== 0) filled.data[pixel] = 1;
          });
        }
        const differing = mask.data.reduce((count, value, pixel) => count + (value !== filled.data[pixel] ? 1 : 0), 0);
        expect(differing, `scene ${seed} object ${index} (${rendered.objects[index]?.shape})`).toBe(0);
      });
    }
  });
});
