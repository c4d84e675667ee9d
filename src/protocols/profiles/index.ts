export type { BoxSyntax, GroundingSupport, ImageInfo, ModelProfile, ProfileOptions } from './model-profile.js';
export { ernie45VlProfile, glm45vProfile, keyeVlProfile, mimoVlProfile, neoProfile, seed15VlProfile } from './family-profiles.js';
export type { LabelledBox } from './box-text.js';
export { formatBoxText, parseBoxText, parseTaggedBoxText } from './box-text.js';
export { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';
export { detectProfile, getProfile, listProfiles, resolveProfile } from './registry.js';
export type { TemporalSpan, TimestampFormat, VideoFramePart, VideoSamplingOptions } from './qwen3-vl-video.js';
export {
  QWEN3_VL_TEMPORAL_PATCH_SIZE,
  QWEN3_VL_VIDEO_FPS,
  QWEN3_VL_VIDEO_MAX_FRAMES,
  QWEN3_VL_VIDEO_MIN_FRAMES,
  TIMESTAMP_FORMATS,
  evenlySpreadKeyFrames,
  formatHms,
  formatOneDecimalLikePython,
  keyFrameNeighbourhood,
  nearestTimePosition,
  parseTemporalAnswer,
  parseTemporalPoint,
  temporalSpanSchema,
  qwen3VlGroupTimestamps,
  qwen3VlSampleFrameIndices,
  qwen3VlTimestampText,
  qwen3VlVideoContentOrder,
} from './qwen3-vl-video.js';
