import type { Command } from 'commander';
import { registerSimCommand } from './sim.js';

/** Each command lives in its own file and registers itself here, one line each. */
export function registerCommands(program: Command): void {
  void program;
  registerSimCommand(program);
}
