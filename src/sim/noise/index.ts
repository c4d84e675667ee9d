export { NOISE_PRESETS, NOISE_PRESET_NAMES, isNoisePresetName, noiseConfigSchema } from './config.js';
export type { NoiseConfig, NoisePresetName } from './config.js';
export { DEFAULT_PROFILE, loadSimConfigFile, resolveSimConfig } from './resolve.js';
export { simFingerprint } from './fingerprint.js';
export type { SimConfig, SimConfigFile } from './resolve.js';
export { createNoiseModel, gaussian, malformJson } from './noise-model.js';
export type { Difficulty, FailureKind, MalformedKind, ModelRole, NoiseModel, PairPick } from './noise-model.js';
export { TRAP_ALWAYS_NOISE } from './trap-always.js';
