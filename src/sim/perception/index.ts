export { MIN_OBJECT_AREA, PALETTE_DISTANCE, perceiveObjects } from './perceive-objects.js';
export type { PerceivedObject } from './perceive-objects.js';
export { recoverOverlay, recoverOverlayMask } from './recover-overlay.js';
export type { RecoveredOverlay } from './recover-overlay.js';
export { objectMask, objectRleCounts } from './masks.js';
export { DEFAULT_PATCH_SIDE, equivalentDiameter, limitAcuity, patchSide, tokenSide } from './acuity.js';
