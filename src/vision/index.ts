export { boxRunLengths, polygonRunLengths } from './coco-polygon.js';
export { DEFAULT_OPENCV_DRAWING_VERSION, fillPolygon, rasterizePolygon, truncatePoints } from './polygon.js';
export type { OpenCvDrawingVersion, PolygonOptions, PolygonPoint } from './polygon.js';
export {
  cocoRleSchema,
  decodeRle,
  encodeRle,
  rleArea,
  rleBox,
  rleCounts,
  rleCountsFromString,
  rleCountsToString,
  rleFromCounts,
  rleIntersectionUnion,
  rleIou,
  rleMerge,
} from './rle.js';
export type { CocoRle } from './rle.js';
export { decodeRleCounts, encodeRleCounts } from './rle-counts.js';
export {
  connectedComponents,
  maskArea,
  maskBox,
  maskIntersectionUnion,
  maskIou,
  orMasks,
  removeSmallComponents,
} from './mask-ops.js';
export {
  decodeImage,
  decodeMaskPng,
  encodeImage,
  encodeMaskPng,
  imageFormatFromPath,
  readImage,
  readImageSize,
  writeImage,
} from './image-io.js';
export type { DecodeOptions, EncodeOptions, ImageFormat } from './image-io.js';
export {
  DEFAULT_OVERLAY_ALPHA,
  OVERLAY_PALETTE,
  blendChannel,
  chooseOverlayColour,
  overlayColourName,
  renderOverlay,
  sideBySide,
} from './overlay.js';
export type { OverlayOptions, RgbColour } from './overlay.js';
export { drawText, fillRectangle, measureText } from './bitmap-font.js';
export { cropImage } from './crop.js';
