/**
 * The SynthWorld vocabulary: named colours, shape kinds and their traits, background colours, and the
 * `ObjectView` description that both ground-truth objects and a simulated model's *perceived* objects
 * satisfy. Everything else in the simulated world (scenes, queries, VQA) is phrased in these names.
 */
import { mmevolveError } from '../../core/index.js';
import type { Box } from '../../core/index.js';

export const COLOUR_NAMES = [
  'red',
  'orange',
  'yellow',
  'green',
  'teal',
  'blue',
  'purple',
  'pink',
  'brown',
] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];

export type Rgb = readonly [red: number, green: number, blue: number];

export interface NamedColour {
  readonly name: ColourName;
  readonly rgb: Rgb;
}

/**
 * Saturated, well-separated object colours. Minimum pairwise Euclidean RGB distance: 85.0
 * (orange–yellow, the deliberately close pair); every other pair is ≥ 100 apart (red–brown 100.7,
 * green–teal 104.9). JPEG q95 with 4:4:4 chroma moves object interiors by a few levels, far less than
 * half of 85, so nearest-colour classification of interior pixels stays exact.
 */
export const COLOURS: readonly NamedColour[] = [
  { name: 'red', rgb: [215, 25, 30] },
  { name: 'orange', rgb: [245, 130, 20] },
  { name: 'yellow', rgb: [245, 215, 20] },
  { name: 'green', rgb: [30, 160, 50] },
  { name: 'teal', rgb: [0, 150, 150] },
  { name: 'blue', rgb: [30, 80, 225] },
  { name: 'purple', rgb: [130, 40, 190] },
  { name: 'pink', rgb: [240, 70, 170] },
  { name: 'brown', rgb: [125, 70, 25] },
];

/** Pairs a careless viewer may confuse (the 'similar-colour' trap): the closest pairs of COLOURS (< 110 apart). */
export const SIMILAR_COLOUR_PAIRS: readonly (readonly [ColourName, ColourName])[] = [
  ['orange', 'yellow'],
  ['red', 'brown'],
  ['green', 'teal'],
  ['red', 'orange'],
];

/**
 * Low-saturation greys and pastels used for backgrounds (flat, gradients between two of them, and noise
 * textures of at most ±BACKGROUND_NOISE_AMPLITUDE per channel). Every background pixel stays at least
 * 123 RGB units from every palette colour (closest: pale grey with full noise vs pink), so a pixel-based
 * perceiver separates objects from the background with a threshold of ~60.
 */
export const BACKGROUND_COLOURS: readonly Rgb[] = [
  [225, 225, 225],
  [205, 205, 205],
  [240, 235, 225],
  [215, 225, 240],
  [220, 235, 220],
  [240, 222, 226],
  [240, 238, 210],
];

/** Per-channel amplitude of the noise texture background (uniform in [-a, a]). */
export const BACKGROUND_NOISE_AMPLITUDE = 12;

/** Minimum distance between any background pixel and any palette colour (see BACKGROUND_COLOURS). */
export const BACKGROUND_MARGIN = 123;

export const SHAPES = ['circle', 'ring', 'square', 'rectangle', 'triangle', 'star', 'cross', 'hexagon'] as const;
export type ShapeKind = (typeof SHAPES)[number];

export interface ShapeTraits {
  /** Polygon corners of the ideal shape: circle and ring 0, star 10 (5 tips + 5 inner), cross 12. */
  readonly corners: number;
  /** Rolls across a floor: circle, ring. */
  readonly canRoll: boolean;
  /** Stacks neatly like a brick: square, rectangle. */
  readonly canStack: boolean;
  /** Has sharp points: star, triangle. */
  readonly isPointy: boolean;
}

export const SHAPE_TRAITS: Readonly<Record<ShapeKind, ShapeTraits>> = {
  circle: { corners: 0, canRoll: true, canStack: false, isPointy: false },
  ring: { corners: 0, canRoll: true, canStack: false, isPointy: false },
  square: { corners: 4, canRoll: false, canStack: true, isPointy: false },
  rectangle: { corners: 4, canRoll: false, canStack: true, isPointy: false },
  triangle: { corners: 3, canRoll: false, canStack: false, isPointy: true },
  star: { corners: 10, canRoll: false, canStack: false, isPointy: true },
  cross: { corners: 12, canRoll: false, canStack: false, isPointy: false },
  hexagon: { corners: 6, canRoll: false, canStack: false, isPointy: false },
};

/** Boolean traits a query may use instead of naming a shape. */
export const TRAIT_NAMES = ['canRoll', 'canStack', 'isPointy'] as const;
export type TraitName = (typeof TRAIT_NAMES)[number];

/**
 * What is known about one object in an image. Ground truth derives it from the object's *visible*
 * pixels; a simulated model derives it from the pixels it perceives.
 * - box: pixel-edge coordinates (a mask spanning columns 3..5 has x1 = 3, x2 = 6), as core's Box.
 * - centroid: mean of the visible pixels' centres, pixel-edge coordinates (column c has centre c + 0.5).
 * - area: number of visible pixels.
 * - occluded: see below; only the VQA 'occlusion' trap uses it.
 */
export interface ObjectView {
  readonly shape: ShapeKind;
  readonly colour: ColourName;
  readonly box: Box;
  readonly centroid: readonly [x: number, y: number];
  readonly area: number;
  /**
   * Partly covered by another object. Ground truth always sets it; a perceiver may estimate it (e.g. the
   * component touches a differently coloured one) or leave it out (treated as not occluded).
   */
  readonly occluded?: boolean;
}

export function colourRgb(name: ColourName): Rgb {
  const found = COLOURS.find((colour) => colour.name === name);
  if (found === undefined) throw mmevolveError('internal', `unknown colour ${name}`, 'use a name from COLOUR_NAMES');
  return found.rgb;
}

export function isColourName(word: string): word is ColourName {
  return (COLOUR_NAMES as readonly string[]).includes(word);
}

export function isShapeKind(word: string): word is ShapeKind {
  return (SHAPES as readonly string[]).includes(word);
}
