/**
 * The options every command that calls a model shares (--config, the zero-config model flags, --no-cache)
 * and the one way such a command opens its workspace (src/app).
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { loadWorkspaceConfig, openWorkspace } from '../../app/index.js';
import type { ModelFlags, OpenWorkspaceOptions, Workspace } from '../../app/index.js';
import { DEFAULT_EVOLVE_PRESET, EVOLVE_PRESET_NAMES, RESOLUTION_MODES, RESOLUTION_RULES } from '../../evolve/index.js';
import type { ResolutionMode, ResolutionRule } from '../../evolve/index.js';

export interface WorkspaceCommandOptions extends ModelFlags {
  config?: string;
  /** false with --no-cache. */
  cache?: boolean;
}

/** --config, --base-url, --model, --api-key-env, --segmenter-url, --embedder-url, --embedder-model, --no-cache. */
export function addWorkspaceOptions(command: Command): Command {
  return command
    .option('--config <file>', 'config file (default: mmevolve.config.yaml / .yml / .json in the current directory, if any)')
    .option('--base-url <url>', 'OpenAI-compatible MLLM server, e.g. http://127.0.0.1:8000/v1 (default: the config, else $OPENAI_BASE_URL, else OpenAI)')
    .option('--model <id>', 'MLLM model id the server serves, e.g. Qwen/Qwen2.5-VL-7B-Instruct')
    .option('--api-key-env <name>', 'environment variable holding the MLLM key (default: MMEVOLVE_API_KEY, else OPENAI_API_KEY)')
    .option('--segmenter-url <url>', 'SAM 3 segmenter server, e.g. http://127.0.0.1:9001')
    .option('--embedder-url <url>', 'OpenAI-compatible embeddings server, e.g. http://127.0.0.1:8002/v1')
    .option('--embedder-model <id>', 'embedding model id (default: the first model the embeddings server lists)')
    .option('--no-cache', 'bypass the response cache (every model call is fresh)');
}

/** The --preset option; its default is the config's evolve.preset, else the one default of every surface. */
export function presetOption(): Option {
  return new Option('--preset <preset>', `evolve settings: published (the authors' code) or improved (the same constants with our fixes); default: the config's evolve.preset, else ${DEFAULT_EVOLVE_PRESET}`).choices([...EVOLVE_PRESET_NAMES]);
}

export function modelFlags(options: WorkspaceCommandOptions): ModelFlags {
  return { baseUrl: options.baseUrl, model: options.model, apiKeyEnv: options.apiKeyEnv, segmenterUrl: options.segmenterUrl, embedderUrl: options.embedderUrl, embedderModel: options.embedderModel };
}

export async function openCommandWorkspace(options: WorkspaceCommandOptions, extra: Omit<OpenWorkspaceOptions, 'cache'> = {}): Promise<Workspace> {
  const config = await loadWorkspaceConfig({ configPath: options.config, flags: modelFlags(options), ...(extra.env === undefined ? {} : { env: extra.env }) });
  return openWorkspace(config, { ...extra, cache: options.cache !== false });
}

export interface ResolutionFlags {
  resolution?: ResolutionMode | undefined;
  resolutionRule?: ResolutionRule | undefined;
}

/** --resolution and --resolution-rule: the evolve config's `resolution` policy (README, "Adaptive resolution"). */
export function resolutionOptions(): [mode: Option, rule: Option] {
  return [
    new Option('--resolution <mode>', "image resolution per MLLM call: full (default), quarter (a quarter of the pixels) or adaptive (per call, by --resolution-rule); default: the config's evolve.resolution.mode").choices([...RESOLUTION_MODES]),
    new Option('--resolution-rule <rule>', 'with --resolution adaptive: cheap (image statistics, no model) or judge (a short check_resolution call on the quarter image)').choices([...RESOLUTION_RULES]),
  ];
}

/** The flags as evolve overrides (over the config file's evolve section); {} when neither is given. */
export function resolutionOverrides(flags: ResolutionFlags): Record<string, unknown> {
  const resolution = { ...(flags.resolution === undefined ? {} : { mode: flags.resolution }), ...(flags.resolutionRule === undefined ? {} : { rule: flags.resolutionRule }) };
  return Object.keys(resolution).length === 0 ? {} : { resolution };
}
