import { describe, it, expect } from 'vitest';
import {
  BACKGROUND_COLOURS,
  BACKGROUND_MARGIN,
  BACKGROUND_NOISE_AMPLITUDE,
  COLOURS,
  SHAPES,
  SHAPE_TRAITS,
  SIMILAR_COLOUR_PAIRS,
} from './vocabulary.js';
import type { Rgb } from './vocabulary.js';

const distance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('SynthWorld vocabulary', () => {
  it('offers at least eight colours at least 85 RGB units apart, as documented', () => {
    expect(COLOURS.length).toBeGreaterThanOrEqual(8);
    let minimum = Infinity;
    for (const [index, a] of COLOURS.entries()) {
      for (const b of COLOURS.slice(index + 1)) minimum = Math.min(minimum, distance(a.rgb, b.rgb));
    }
    expect(minimum, 'closest palette pair').toBeCloseTo(85, 0);
  });

  it('keeps every noisy background pixel at least the documented margin from every palette colour', () => {
    const noise = Math.hypot(BACKGROUND_NOISE_AMPLITUDE, BACKGROUND_NOISE_AMPLITUDE, BACKGROUND_NOISE_AMPLITUDE);
    for (const background of BACKGROUND_COLOURS) {
      for (const colour of COLOURS) {
        const worst = distance(background, colour.rgb) - noise;
        expect(worst, `${background.join(',')} vs ${colour.name}`).toBeGreaterThanOrEqual(BACKGROUND_MARGIN);
      }
    }
  });

  it('lists the similar-colour pairs among the closest pairs of the palette', () => {
    const rgbOf = (name: string): Rgb => COLOURS.find((colour) => colour.name === name)?.rgb ?? [0, 0, 0];
    for (const [a, b] of SIMILAR_COLOUR_PAIRS) expect(distance(rgbOf(a), rgbOf(b)), `${a}/${b}`).toBeLessThan(110);
  });

  it('gives every one of at least eight shapes its traits, rolling only for round shapes', () => {
    expect(SHAPES.length).toBeGreaterThanOrEqual(8);
    for (const shape of SHAPES) {
      const traits = SHAPE_TRAITS[shape];
      expect(traits.canRoll, shape).toBe(traits.corners === 0);
    }
  });
});
