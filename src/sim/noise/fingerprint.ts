/**
 * A sim server's configuration fingerprint: one short hash of every knob that changes an answer (preset,
 * noise overrides, seed, profile). The simulated MLLM shows it as OpenAI's `system_fingerprint` ("the
 * backend configuration that the model runs with") on every completion and on its /v1/models entry, so a
 * client's response cache can key on it before the first call (issue 13: a weak-preset run must not
 * replay paper-like answers).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/index.js';
import type { SimConfig } from './resolve.js';

/**
 * Bumped when the simulated perception changes what the same request is answered with (a cached answer of an
 * older simulator must not replay): 2 = objects narrower than one encoder patch lose their shape (acuity.ts).
 */
export const SIM_PERCEPTION_VERSION = 2;

export function simFingerprint(config: SimConfig): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ preset: config.preset, noise: config.noise, seed: config.seed, profile: config.profile, perception: SIM_PERCEPTION_VERSION }))
    .digest('hex');
  return `fp_sim_${digest.slice(0, 16)}`;
}
