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
export { generateScene, MIN_VISIBLE_FRACTION } from './scene.js';
export type { SceneOptions } from './scene.js';
export type { Scene, SceneBackground, SceneObject } from './scene-types.js';
export { objectViews, rasterizeLabels, renderBackground, renderScene } from './render.js';
export type { RenderedScene } from './render.js';
export { RING_INNER_RATIO, polygonBounds, shapePolygon } from './shapes.js';
export type { Point, ShapeGeometry } from './shapes.js';
export { ORDINALS, RELATIONS, areaRanks, centroidDistance, isAbove, isBetween, isInside, isLeftOf, sceneGraph, selectByDistance, selectOrdinal } from './relations.js';
export type { Ordinal, RelationKind, SceneGraphEdge } from './relations.js';
export { filterIndices, matchesFilter, querySteps, resolveQuery } from './query-spec.js';
export type { ObjectFilter, QueryRelation, QuerySpec, ResolveOptions } from './query-spec.js';
export { normaliseQueryText, parseQuery, phraseToSpec } from './query-parse.js';
export { describeFilter, phraseText, sentenceText } from './query-text.js';
export { DECISIVE_SLACK, generateSegQuery, isDecisive } from './queries.js';
export type { SegQuery, SegQueryOptions } from './queries.js';
export { canonicalPhrase } from './canonical.js';
export { VQA_SKILLS, VQA_TRAPS, similarColours, solveVqa, trapKeywords } from './vqa-solve.js';
export type { VqaPitfall, VqaSkill, VqaSolution, VqaTrap } from './vqa-solve.js';
export { generateVqaProblem } from './vqa.js';
export type { VqaProblem } from './vqa.js';
export { scenesWithTrap } from './trap-scenes.js';
export type { TrapScene } from './trap-scenes.js';
export { buildReasonSegSample, sampleName } from './reasonseg-sample.js';
export type { LabelMeJson, LabelMeShape, ReasonSegSample } from './reasonseg-sample.js';
export { GENERATOR_VERSION, buildVqaSample, encodeSimJpeg, exportDataset, exportReasonSeg, exportVqa, pythonJson } from './export.js';
export type { DatasetTask, ExportOptions, ExportSummary } from './export.js';
