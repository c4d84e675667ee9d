export type { ImageInfo, ModelProfile, ProfileOptions } from './model-profile.js';
export { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';
export { detectProfile, getProfile, listProfiles, resolveProfile } from './registry.js';
