/**
 * A sim server's configuration: a preset plus overrides from a JSON file, validated with zod. File shape:
 * `{"preset": "paper-like", "seed": 7, "profile": "qwen2.5-vl", "noise": {"judging": {"positionBias": 0.9}}}`
 * — every key optional; `noise` may override any knob of the preset, nested objects merge key by key.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { deepMerge, mmevolveError } from '../../core/index.js';
import { NOISE_PRESETS, NOISE_PRESET_NAMES, noiseConfigSchema } from './config.js';
import type { NoiseConfig, NoisePresetName } from './config.js';

export interface SimConfig {
  preset: NoisePresetName;
  noise: NoiseConfig;
  /** Server seed mixed into every request's RNG (requests may also send their own `seed`). */
  seed: number;
  /** Emulated model profile name (box convention, model id), e.g. 'qwen2.5-vl'. */
  profile: string;
}

export const DEFAULT_PROFILE = 'qwen2.5-vl';

const jsonObject = z.record(z.string(), z.unknown());
const simConfigFileSchema = z.strictObject({
  preset: z.enum(NOISE_PRESET_NAMES as [NoisePresetName, ...NoisePresetName[]]).optional(),
  seed: z.number().int().optional(),
  profile: z.string().min(1).optional(),
  noise: jsonObject.optional(),
});
export type SimConfigFile = z.infer<typeof simConfigFileSchema>;

/** Validate a parsed config (file contents or options object) and apply it to its preset. */
export function resolveSimConfig(input: unknown, defaults: { preset?: NoisePresetName } = {}): SimConfig {
  const parsed = simConfigFileSchema.safeParse(input);
  if (!parsed.success) {
    throw mmevolveError('config-invalid', `invalid sim config: ${z.prettifyError(parsed.error)}`, `top-level keys: preset (${NOISE_PRESET_NAMES.join('|')}), seed, profile, noise`);
  }
  const preset = parsed.data.preset ?? defaults.preset ?? 'paper-like';
  const merged = deepMerge(NOISE_PRESETS[preset] as unknown as Record<string, unknown>, parsed.data.noise ?? {});
  const noise = noiseConfigSchema.safeParse(merged);
  if (!noise.success) {
    throw mmevolveError('config-invalid', `invalid noise override: ${z.prettifyError(noise.error)}`, 'knob names and ranges are documented in src/sim/noise/config.ts');
  }
  return { preset, noise: noise.data, seed: parsed.data.seed ?? 0, profile: parsed.data.profile ?? DEFAULT_PROFILE };
}

/** Read and resolve a JSON config file. */
export async function loadSimConfigFile(path: string): Promise<SimConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw mmevolveError('config-invalid', `cannot read sim config ${path}`, 'pass an existing JSON file to --config', cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw mmevolveError('config-invalid', `sim config ${path} is not valid JSON`, 'check the file with a JSON validator', cause);
  }
  return resolveSimConfig(json);
}
