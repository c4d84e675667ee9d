export { polygonRunLengths } from './coco-polygon.js';
export { fillPolygon, rasterizePolygon } from './polygon.js';
export type { PolygonOptions } from './polygon.js';
export {
  cocoRleSchema,
  decodeRle,
  decodeRleInto,
  encodeRle,
  rleArea,
  rleCountsFromString,
  rleCountsToString,
  rleIou,
} from './rle.js';
export type { CocoRle } from './rle.js';
export { encodeRleCounts } from './rle-counts.js';
export { decodeRleCounts } from './rle-decode.js';
export { connectedComponents, maskArea, maskBox, maskIntersectionUnion, maskIou, orMasks, visitUnlessBothZero } from './mask-ops.js';
export {
  decodeImage,
  decodeMaskPng,
  encodeImage,
  encodeMaskPng,
  readImage,
  readImageSize,
  writeImage,
} from './image-io.js';
export { chooseOverlayColour, overlayColourName, renderOverlay, sideBySide } from './overlay.js';
export type { RgbColour } from './overlay.js';
export { cropImage } from './crop.js';
export { downscaleImage } from './downscale.js';
