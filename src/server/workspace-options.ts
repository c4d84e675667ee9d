/** What `mmevolve serve` (and any embedding application) takes from an opened workspace (src/app). */
import type { Workspace } from '../app/index.js';
import type { ServerAppOptions } from './app.js';

export async function serverOptionsFromWorkspace(workspace: Workspace): Promise<Pick<ServerAppOptions, 'backends' | 'memoryStore' | 'memoryConfig' | 'evolve'>> {
  return {
    backends: workspace.backends,
    memoryStore: await workspace.store(),
    memoryConfig: workspace.memory(),
    evolve: { preset: workspace.config.evolve.preset, overrides: workspace.config.evolve.overrides },
  };
}
