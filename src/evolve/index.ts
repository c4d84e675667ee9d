/** Evolutionary reasoning segmentation (EVOL-SAM3), its baselines, and the explain view of a trace. */
export { DATASET_KINDS, DEFAULT_EVOLVE_PRESET, EVOLVE_PRESET_NAMES, evolveConfigSchema, resolveEvolveConfig } from './config.js';
export type { DatasetKind, EvolveConfig, EvolveConfigInput, EvolvePresetName } from './config.js';
export { evolveSegment } from './evolve-segment.js';
export { RESOLUTION_MODES, RESOLUTION_RULES } from './resolution.js';
export type { ResolutionConfig, ResolutionMode, ResolutionRule } from './resolution.js';
export {
  SEGMENTATION_METHODS,
  isSegmentationMethod,
  methodNeedsMllm,
  runSegmentation,
} from './run-segmentation.js';
export type { SegmentationBackends } from './run-context.js';
export type { SegmentationEvent } from './events.js';
export type { SegmentationMethod, SegmentationResult } from './trace.js';
export { formatTraceTree } from './explain.js';
export { locateTargetTime } from './video-locate.js';
export type { TemporalLocation } from './video-locate.js';
export { progressText } from './progress-text.js';
