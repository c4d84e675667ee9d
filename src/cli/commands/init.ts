/**
 * `mmevolve init [--for vllm|ollama|openai] [--out FILE] [--force]`: write a commented mmevolve.config.yaml
 * (src/app/init-config.ts). An existing file is never overwritten without --force.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { INIT_TARGETS, initConfigText } from '../../app/index.js';
import type { InitTarget } from '../../app/index.js';
import { mmevolveError } from '../../core/index.js';

export interface InitCommandOptions {
  for: InitTarget;
  out: string;
  force?: boolean;
}

export async function runInitCommand(options: InitCommandOptions, stdout: (text: string) => void): Promise<string> {
  const file = resolve(options.out);
  if (existsSync(file) && options.force !== true) {
    throw mmevolveError('conflict', `${file} already exists`, 'Pass --force to overwrite it, or --out FILE to write elsewhere.');
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, initConfigText(options.for));
  stdout(`wrote ${file} (for ${options.for}); edit baseURL and model, then run \`mmevolve backends check\`\n`);
  return file;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('Write a commented mmevolve.config.yaml for a local vLLM, a local Ollama or a hosted OpenAI-compatible API')
    .addOption(new Option('--for <server>', 'which server the config is for').choices([...INIT_TARGETS]).default('vllm'))
    .option('--out <file>', 'where to write it', 'mmevolve.config.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (options: InitCommandOptions) => {
      await runInitCommand(options, (text) => process.stdout.write(text));
    });
}
