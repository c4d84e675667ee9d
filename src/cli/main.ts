#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isMmevolveError } from '../core/index.js';
import { registerCommands } from './commands/index.js';

const program = new Command('mmevolve')
  .description('Make frozen multimodal LLMs reason better at inference time.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

// `mmevolve memory export | head`: a reader that stops early closes the pipe; like other Unix tools we
// stop quietly instead of crashing on EPIPE. Any other stdout error is real and is thrown.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed help/version/usage errors; keep its exit code.
    process.exitCode = error.exitCode;
  } else if (isMmevolveError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.toUserString()}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
