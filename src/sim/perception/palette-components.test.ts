import { describe, expect, it } from 'vitest';
import { COLOURS, createRng, generateScene, renderScene } from '../world/index.js';
import { classifyPixels, connectedComponents, paletteComponents } from './components.js';
import { PALETTE_DISTANCE } from './perceive-objects.js';

/** The scene's pixels cropped to `width` columns, placed `shift` bytes into a fresh buffer. */
function cropped(seed: number, width: number, shift: number): { width: number; height: number; data: Uint8Array } {
  const { image } = renderScene(generateScene(seed, { width: 640, height: 480 }));
  const height = image.height;
  const data = new Uint8Array(shift + width * height * 3).subarray(shift);
  for (let y = 0; y < height; y += 1) data.set(image.data.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { width, height, data };
}

describe('paletteComponents', () => {
  it('finds the components of the classified label image, on word-aligned 4-pixel rows and on every other layout', () => {
    const rng = createRng(3);
    for (const [width, shift] of [[640, 0], [640, 1], [637, 0], [636, 2], [1, 0]] as const) {
      const image = cropped(rng.int(1, 500), width, shift);
      const expected = connectedComponents(classifyPixels(image.data, width * image.height, COLOURS, PALETTE_DISTANCE), width, image.height, 30);
      const actual = paletteComponents(image, COLOURS, PALETTE_DISTANCE, 30);
      if (width > 1) expect(expected.length, `width ${width}: the scene has objects`).toBeGreaterThan(0);
      expect(actual, `width ${width}, byte offset ${shift}`).toEqual(expected);
    }
  });
});
