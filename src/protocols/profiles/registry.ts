import { mmevolveError } from '../../core/index.js';
import type { ModelProfile } from './model-profile.js';
import { ernie45VlProfile, glm45vProfile, keyeVlProfile, mimoVlProfile, neoProfile, seed15VlProfile } from './family-profiles.js';
import { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';

const PROFILES: ReadonlyArray<ModelProfile> = [
  qwen25VlProfile,
  qwen3VlProfile,
  internvl35Profile,
  glm45vProfile,
  mimoVlProfile,
  keyeVlProfile,
  ernie45VlProfile,
  seed15VlProfile,
  neoProfile,
  genericProfile,
];

export const PROFILE_NAMES: ReadonlyArray<string> = PROFILES.map((profile) => profile.name);

export function listProfiles(): ReadonlyArray<ModelProfile> {
  return PROFILES;
}

/** A profile by its exact name (see PROFILE_NAMES). */
export function getProfile(name: string): ModelProfile {
  const profile = PROFILES.find((candidate) => candidate.name === name.trim().toLowerCase());
  if (profile === undefined) {
    throw mmevolveError(
      'unsupported-model',
      `unknown model profile "${name}"`,
      `Use one of: ${PROFILE_NAMES.join(', ')} (or a model id such as Qwen/Qwen2.5-VL-7B-Instruct).`,
    );
  }
  return profile;
}

/**
 * Guess the profile from a model id as servers report it: "Qwen/Qwen2.5-VL-7B-Instruct",
 * "qwen2.5vl:7b" (Ollama), "Qwen3-VL-8B-Instruct-FP8", "OpenGVLab/InternVL3_5-8B". Case, organisation
 * prefix and separators are tolerated. Returns null when nothing matches — the caller decides
 * whether to fall back to 'generic'. Qwen2-VL is deliberately not matched: it writes 0–1000 boxes in a
 * different syntax, so neither Qwen profile describes it.
 */
export function detectProfile(modelId: string): ModelProfile | null {
  const id = modelId.toLowerCase();
  if (/qwen[-_ ]?3[-_ .]?vl/.test(id)) return qwen3VlProfile;
  if (/qwen[-_ ]?2[._]?5[-_ .]?vl/.test(id)) return qwen25VlProfile;
  // InternVL2.5, InternVL3 and InternVL3.5 share the tiling code and the <box> syntax.
  if (/internvl[-_ ]?(2[._]?5|3[._]?5|3)(?![._]?\d)/.test(id)) return internvl35Profile;
  // GLM-4.1V and GLM-4.5V share the glm4v processor and the <|begin_of_box|> answer format.
  if (/glm[-_ ]?4[._]?[15][-_ ]?v/.test(id)) return glm45vProfile;
  if (/mimo[-_ ]?vl/.test(id)) return mimoVlProfile;
  if (/keye[-_ ]?vl/.test(id)) return keyeVlProfile;
  if (/ernie[-_ ]?4[._]?5[-_ ]?vl/.test(id)) return ernie45VlProfile;
  // The hosted Seed1.5-VL is served as doubao-1-5-thinking-vision-pro-<date> (its cookbook's model id).
  if (/seed[-_ ]?1[._]?5[-_ ]?vl|doubao[-_ ]?1[-_.]5[-_ ](thinking[-_ ])?vision/.test(id)) return seed15VlProfile;
  // NEO checkpoints are published as Paranioar/NEO1_0-2B-SFT, NEO1_0-9B-SFT; a bare "neo" is too common to guess.
  if (/(^|[/_ -])neo[-_ ]?1[._]0(?!\d)/.test(id)) return neoProfile;
  return null;
}

/** A profile name first, then a model id; unknown → 'unsupported-model' listing the known names. */
export function resolveProfile(nameOrModelId: string): ModelProfile {
  const byName = PROFILES.find((candidate) => candidate.name === nameOrModelId.trim().toLowerCase());
  if (byName !== undefined) return byName;
  const detected = detectProfile(nameOrModelId);
  if (detected !== null) return detected;
  throw mmevolveError(
    'unsupported-model',
    `no model profile matches "${nameOrModelId}"`,
    `Pass a profile name (${PROFILE_NAMES.join(', ')}) or a model id containing Qwen2.5-VL, Qwen3-VL, InternVL3.5, GLM-4.5V, MiMo-VL, Keye-VL, ERNIE-4.5-VL, Seed1.5-VL or NEO1_0.`,
  );
}
