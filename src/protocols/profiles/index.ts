export { smartResize, roundHalfToEven } from './smart-resize.js';
export type { SmartResizeOptions, ResizedSize } from './smart-resize.js';
export {
  internvlTiling,
  internvlCandidateGrids,
  INTERNVL_DEFAULT_MAX_TILES,
  INTERNVL_DEFAULT_MIN_TILES,
  INTERNVL_TILE_SIZE,
  INTERNVL_TOKENS_PER_TILE,
} from './internvl-tiling.js';
export type { InternvlTiling, InternvlTilingOptions } from './internvl-tiling.js';
export { RELATIVE_BOX_SCALE, normalizeBox, scaleBox } from './model-profile.js';
export type {
  BoxConvention,
  BoxSyntax,
  ImageInfo,
  ModelProfile,
  ProfileFamily,
  ProfileOptions,
  VideoDefaults,
} from './model-profile.js';
export { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';
export { PROFILE_NAMES, detectProfile, getProfile, listProfiles, resolveProfile } from './registry.js';
