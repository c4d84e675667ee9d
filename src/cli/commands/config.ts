/**
 * `mmevolve config [--config FILE | model flags] [--preset P] [--json]`: what the commands would run with,
 * resolved through openWorkspace exactly as `segment`, `eval`, `solve` and `serve` resolve it — the model
 * of each backend role, the evolve preset with its resolved config, the memory method's settings, the lesson
 * store — without calling a model or opening the store. `serve` answers the same at GET /v1/settings.
 */
import type { Command } from 'commander';
import type { EvolveConfig, EvolvePresetName } from '../../evolve/index.js';
import type { MemoryMethodConfig } from '../../memory/index.js';
import { backendModels } from './eval-method.js';
import { addWorkspaceOptions, openCommandWorkspace, presetOption } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

export interface ResolvedSettings {
  config: string;
  models: Record<string, string>;
  evolve: { preset: EvolvePresetName; config: EvolveConfig };
  memory: MemoryMethodConfig;
  store: string;
}

export async function resolveCommandSettings(options: WorkspaceCommandOptions & { preset?: EvolvePresetName }): Promise<ResolvedSettings> {
  const workspace = await openCommandWorkspace(options);
  try {
    return { config: workspace.config.source, models: backendModels(workspace.backends), evolve: workspace.evolve(options.preset), memory: workspace.memory(), store: workspace.storePath };
  } finally {
    await workspace.close();
  }
}

export function registerConfigCommand(program: Command): void {
  const command = program
    .command('config')
    .description('Print the resolved settings every command would run with (models, evolve preset and config, memory settings, lesson store); calls no model')
    .addOption(presetOption())
    .option('--json', 'print them as one JSON object');
  addWorkspaceOptions(command).action(async (options: WorkspaceCommandOptions & { preset?: EvolvePresetName; json?: boolean }) => {
    const settings = await resolveCommandSettings(options);
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
      return;
    }
    const models = Object.entries(settings.models).map(([role, model]) => `${role} ${model}`).join(', ') || 'none';
    process.stdout.write(
      [`config: ${settings.config}`, `models: ${models}`, `evolve preset: ${settings.evolve.preset}`, `lesson store: ${settings.store}`, '(--json prints the resolved evolve and memory settings in full)', ''].join('\n'),
    );
  });
}
