import type { Command } from 'commander';
import { registerBackendsCommand } from './backends.js';
import { registerCompareCommand } from './compare.js';
import { registerConfigCommand } from './config.js';
import { registerEvalCommand } from './eval.js';
import { registerEvalVqaCommand } from './eval-vqa.js';
import { registerExportPairsCommand } from './export-pairs.js';
import { registerExportResultsCommand } from './export-results.js';
import { registerInitCommand } from './init.js';
import { registerKeysCommand } from './keys.js';
import { registerMemoryCommand } from './memory.js';
import { registerModelInfoCommand } from './model-info.js';
import { registerScoreCommand } from './score.js';
import { registerSegmentCommand } from './segment.js';
import { registerServeCommand } from './serve.js';
import { registerSimCommand } from './sim.js';
import { registerSolveCommand } from './solve.js';
import { registerWorkerCommand } from './worker.js';

/** Each command lives in its own file and registers itself here, one line each. */
export function registerCommands(program: Command): void {
  void program;
  registerBackendsCommand(program);
  registerCompareCommand(program);
  registerConfigCommand(program);
  registerEvalCommand(program);
  registerEvalVqaCommand(program);
  registerExportPairsCommand(program);
  registerExportResultsCommand(program);
  registerInitCommand(program);
  registerKeysCommand(program);
  registerMemoryCommand(program);
  registerModelInfoCommand(program);
  registerScoreCommand(program);
  registerSegmentCommand(program);
  registerServeCommand(program);
  registerSimCommand(program);
  registerSolveCommand(program);
  registerWorkerCommand(program);
}
