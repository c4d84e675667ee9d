import { describe, expect, it } from 'vitest';
import { createMask, isMmevolveError } from '../core/index.js';
import type { Mask, RgbImage } from '../core/index.js';
import { measureText } from './bitmap-font.js';
import { OVERLAY_PALETTE, blendChannel, chooseOverlayColour, overlayColourName, renderOverlay, sideBySide } from './overlay.js';

function solidImage(width: number, height: number, colour: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index += 1) data.set(colour, index * 3);
  return { width, height, data };
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const offset = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(offset, offset + 3));
}

function rectangleMask(width: number, height: number, x1: number, y1: number, x2: number, y2: number): Mask {
  const mask = createMask(width, height);
  for (let y = y1; y < y2; y += 1) for (let x = x1; x < x2; x += 1) mask.data[y * width + x] = 1;
  return mask;
}

describe('overlay colour choice', () => {
  it('offers at least eight distinct saturated colours', () => {
    expect(OVERLAY_PALETTE.length).toBeGreaterThanOrEqual(8);
    expect(new Set(OVERLAY_PALETTE.map((colour) => colour.join(','))).size).toBe(OVERLAY_PALETTE.length);
    for (const colour of OVERLAY_PALETTE) expect(Math.max(...colour) - Math.min(...colour)).toBeGreaterThanOrEqual(128);
  });

  it('picks the same colour as summing Math.hypot per pixel in pixel order, for one mask, two masks (their union) and an empty mask', () => {
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    };
    const reference = (image: RgbImage, covered: (index: number) => boolean, all: boolean): number[] => {
      const totals = OVERLAY_PALETTE.map(() => 0);
      for (let index = 0; index < image.width * image.height; index += 1) {
        if (!all && !covered(index)) continue;
        OVERLAY_PALETTE.forEach(([r, g, b], paletteIndex) => {
          totals[paletteIndex] = (totals[paletteIndex] as number) + Math.hypot((image.data[index * 3] as number) - r, (image.data[index * 3 + 1] as number) - g, (image.data[index * 3 + 2] as number) - b);
        });
      }
      const best = totals.indexOf(Math.max(...totals));
      return [...(OVERLAY_PALETTE[best] ?? [])];
    };
    for (let round = 0; round < 6; round += 1) {
      const width = 37;
      const height = 23;
      // Few distinct colours in some rounds (repeats hit the memo), many in others.
      const levels = round % 2 === 0 ? 4 : 256;
      const image: RgbImage = { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor((next() * levels) / 256) * Math.floor(255 / Math.max(1, levels - 1))) };
      const first = rectangleMask(width, height, round, 2, 20 + round, 15);
      const second = rectangleMask(width, height, 10, round + 5, 36, 22);
      const empty = createMask(width, height);
      expect(chooseOverlayColour(image, first), `round ${round}: one mask`).toEqual(reference(image, (index) => first.data[index] !== 0, false));
      expect(chooseOverlayColour(image, [first, second]), `round ${round}: union of two`).toEqual(reference(image, (index) => first.data[index] !== 0 || second.data[index] !== 0, false));
      expect(chooseOverlayColour(image, empty), `round ${round}: empty mask reads the whole image`).toEqual(reference(image, () => true, true));
    }
  });

  it('picks the palette colour farthest on average from the pixels under the mask', () => {
    // Left half red, right half blue; masking the red half must avoid red and pick the colour with the
    // largest mean distance from pure red, computed here independently.
    const image = solidImage(4, 2, [255, 0, 0]);
    for (const x of [2, 3]) for (const y of [0, 1]) image.data.set([0, 0, 255], (y * 4 + x) * 3);
    const mask = rectangleMask(4, 2, 0, 0, 2, 2);
    const distances = OVERLAY_PALETTE.map(([r, g, b]) => Math.hypot(255 - r, g, b));
    const expected = OVERLAY_PALETTE[distances.indexOf(Math.max(...distances))];
    expect(chooseOverlayColour(image, mask)).toEqual(expected);
    expect(chooseOverlayColour(image, mask)).not.toEqual([255, 0, 0]);
  });

  it('uses the whole image when the mask is empty', () => {
    const image = solidImage(3, 3, [0, 255, 0]);
    const distances = OVERLAY_PALETTE.map(([r, g, b]) => Math.hypot(r, 255 - g, b));
    expect(chooseOverlayColour(image, createMask(3, 3))).toEqual(OVERLAY_PALETTE[distances.indexOf(Math.max(...distances))]);
  });
});

describe('renderOverlay', () => {
  it('blends only mask pixels with round(alpha*colour + (1-alpha)*pixel)', () => {
    const image = solidImage(3, 2, [11, 100, 201]);
    const mask = rectangleMask(3, 2, 1, 0, 2, 2);
    const overlay = renderOverlay(image, mask, { colour: [255, 0, 0] });
    expect(pixel(overlay, 1, 0)).toEqual([133, 50, 101]); // (11+255)/2=133, 100/2=50, 201/2=100.5→101
    expect(pixel(overlay, 1, 1)).toEqual([blendChannel(11, 255, 0.5), blendChannel(100, 0, 0.5), blendChannel(201, 0, 0.5)]);
    expect(pixel(overlay, 0, 0)).toEqual([11, 100, 201]);
    expect(pixel(overlay, 2, 1)).toEqual([11, 100, 201]);
    expect(pixel(image, 1, 0), 'input left untouched').toEqual([11, 100, 201]);
  });

  it('respects alpha and blends overlapping masks once', () => {
    const image = solidImage(2, 1, [100, 100, 100]);
    const both = [rectangleMask(2, 1, 0, 0, 1, 1), rectangleMask(2, 1, 0, 0, 2, 1)];
    const overlay = renderOverlay(image, both, { colour: [0, 0, 200], alpha: 0.25 });
    expect(pixel(overlay, 0, 0)).toEqual([75, 75, 125]);
    expect(pixel(overlay, 1, 0)).toEqual([75, 75, 125]);
  });

  it('leaves the image unchanged for an empty mask and handles a 1x1 image', () => {
    const image = solidImage(1, 1, [9, 9, 9]);
    expect(Array.from(renderOverlay(image, createMask(1, 1)).data)).toEqual([9, 9, 9]);
    const full = renderOverlay(image, rectangleMask(1, 1, 0, 0, 1, 1), { colour: [255, 255, 255], alpha: 1 });
    expect(Array.from(full.data)).toEqual([255, 255, 255]);
  });

  it('draws a 2-px opaque outline inside the mask box', () => {
    const image = solidImage(9, 9, [0, 0, 0]);
    const overlay = renderOverlay(image, rectangleMask(9, 9, 2, 2, 8, 7), { colour: [0, 255, 0], alpha: 0.5, outlineBox: true });
    expect(pixel(overlay, 2, 2)).toEqual([0, 255, 0]);
    expect(pixel(overlay, 3, 3)).toEqual([0, 255, 0]);
    expect(pixel(overlay, 7, 6)).toEqual([0, 255, 0]);
    expect(pixel(overlay, 4, 4), 'interior stays blended').toEqual([0, 128, 0]);
    expect(pixel(overlay, 1, 1), 'outside stays raw').toEqual([0, 0, 0]);
  });

  it('draws a numbered tag with bitmap glyphs at the top-left of each box', () => {
    const image = solidImage(40, 30, [0, 0, 0]);
    const masks = [rectangleMask(40, 30, 2, 3, 30, 25)];
    const overlay = renderOverlay(image, masks, { colour: [255, 0, 0], labels: ['12'] });
    const size = measureText('12', 2);
    expect(size).toEqual({ width: 14, height: 10 });
    // Tag background in the overlay colour, text in white (red is dark), inside the tag area.
    expect(pixel(overlay, 2, 3)).toEqual([255, 0, 0]);
    let white = 0;
    for (let y = 3; y < 3 + size.height + 4; y += 1) for (let x = 2; x < 2 + size.width + 4; x += 1) {
      if (pixel(overlay, x, y).join() === '255,255,255') white += 1;
    }
    // '1' has 8 ink cells and '2' has 11, each drawn as 2x2 pixels.
    expect(white).toBe((8 + 11) * 4);
  });

  it('rejects masks of another size and alpha outside 0..1', () => {
    const image = solidImage(2, 2, [0, 0, 0]);
    const codeOf = (action: () => unknown): string | undefined => {
      try {
        action();
      } catch (error) {
        return isMmevolveError(error) ? error.code : 'foreign';
      }
      return undefined;
    };
    expect(codeOf(() => renderOverlay(image, createMask(3, 2)))).toBe('size-mismatch');
    expect(codeOf(() => renderOverlay(image, createMask(2, 2), { alpha: 1.5 }))).toBe('invalid-input');
  });
});

describe('sideBySide', () => {
  it('places panels left to right, top-aligned, with a gap and background fill', () => {
    const a = solidImage(2, 3, [1, 1, 1]);
    const b = solidImage(3, 1, [2, 2, 2]);
    const panel = sideBySide([a, b], 1, [9, 9, 9]);
    expect([panel.width, panel.height]).toEqual([6, 3]);
    expect(pixel(panel, 1, 2)).toEqual([1, 1, 1]);
    expect(pixel(panel, 2, 0), 'gap').toEqual([9, 9, 9]);
    expect(pixel(panel, 3, 0)).toEqual([2, 2, 2]);
    expect(pixel(panel, 5, 0)).toEqual([2, 2, 2]);
    expect(pixel(panel, 4, 1), 'below the shorter panel').toEqual([9, 9, 9]);
    expect(sideBySide([a]).width).toBe(2);
  });
});

describe('overlay colour names', () => {
  it('names every palette colour in plain English and spells out any other colour', () => {
    expect(OVERLAY_PALETTE.slice(0, 6).map(overlayColourName)).toEqual(['red', 'green', 'blue', 'yellow', 'magenta', 'cyan']);
    expect(new Set(OVERLAY_PALETTE.map(overlayColourName)).size, 'names are distinct').toBe(OVERLAY_PALETTE.length);
    expect(overlayColourName([1, 2, 3])).toBe('rgb(1, 2, 3)');
  });
});
