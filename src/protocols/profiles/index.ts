export type { BoxSyntax, GroundingSupport, ImageInfo, ModelProfile, ProfileOptions } from './model-profile.js';
export { ernie45VlProfile, glm45vProfile, keyeVlProfile, mimoVlProfile, neoProfile, seed15VlProfile } from './family-profiles.js';
export type { LabelledBox } from './box-text.js';
export { formatBoxText, parseBoxText, parseTaggedBoxText } from './box-text.js';
export { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';
export { detectProfile, getProfile, listProfiles, resolveProfile } from './registry.js';
