export {
  BACKGROUND_COLOURS,
  BACKGROUND_MARGIN,
  BACKGROUND_NOISE_AMPLITUDE,
  COLOURS,
  COLOUR_NAMES,
  SHAPES,
  SHAPE_TRAITS,
  SIMILAR_COLOUR_PAIRS,
  TRAIT_NAMES,
  colourRgb,
  isColourName,
  isShapeKind,
} from './vocabulary.js';
export type { ColourName, NamedColour, ObjectView, Rgb, ShapeKind, ShapeTraits, TraitName } from './vocabulary.js';
export { createRng, hashSeed } from './rng.js';
export type { Rng } from './rng.js';
