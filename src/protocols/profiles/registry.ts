import { mmevolveError } from '../../core/index.js';
import type { ModelProfile } from './model-profile.js';
import { genericProfile, internvl35Profile, qwen25VlProfile, qwen3VlProfile } from './profiles.js';

const PROFILES: ReadonlyArray<ModelProfile> = [qwen25VlProfile, qwen3VlProfile, internvl35Profile, genericProfile];

export const PROFILE_NAMES: ReadonlyArray<string> = PROFILES.map((profile) => profile.name);

export function listProfiles(): ReadonlyArray<ModelProfile> {
  return PROFILES;
}

/** A profile by its exact name ('qwen2.5-vl', 'qwen3-vl', 'internvl3.5', 'generic'). */
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
    `Pass a profile name (${PROFILE_NAMES.join(', ')}) or a model id containing Qwen2.5-VL, Qwen3-VL or InternVL3.5.`,
  );
}
