/**
 * The evolve settings a request starts from: the workspace's preset and its config file's overrides. A
 * request's own preset replaces the preset; its config is merged over the file's overrides.
 */
import { deepMerge } from '../core/index.js';
import { resolveEvolveConfig } from '../evolve/index.js';
import type { EvolveConfig, EvolvePresetName } from '../evolve/index.js';

export interface EvolveDefaults {
  preset: EvolvePresetName;
  overrides: Record<string, unknown>;
}

export function requestEvolve(defaults: EvolveDefaults, preset: EvolvePresetName | undefined, overrides: Record<string, unknown>): { preset: EvolvePresetName; overrides: Record<string, unknown>; config: EvolveConfig } {
  const chosen = preset ?? defaults.preset;
  const merged = deepMerge(defaults.overrides, overrides);
  return { preset: chosen, overrides: merged, config: resolveEvolveConfig(chosen, merged, 'config') };
}
