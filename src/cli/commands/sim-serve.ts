/**
 * `mmevolve sim serve-mllm | serve-segmenter | serve-embeddings`: start a SIMULATED model server in the
 * foreground until Ctrl-C. Each prints loudly that it is simulated: its answers come from SynthWorld
 * pixel rules and a noise model, never from a real model.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { NOISE_PRESET_NAMES, loadSimConfigFile, resolveSimConfig, startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { NoisePresetName, SimConfig } from '../../sim/index.js';

interface ServeOptions {
  port: number;
  host: string;
  preset?: NoisePresetName;
  config?: string;
  profile?: string;
  seed?: number;
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw mmevolveError('invalid-input', `--port must be 0–65535, got "${value}"`, 'pass e.g. --port 8100 (0 picks a free port)');
  return Number(value);
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw mmevolveError('invalid-input', `--seed must be an integer, got "${value}"`, 'pass e.g. --seed 1');
  return Number(value);
}

async function resolveOptions(options: ServeOptions): Promise<SimConfig> {
  if (options.config !== undefined && options.preset !== undefined) {
    throw mmevolveError('invalid-input', '--preset and --config are exclusive', 'put "preset" inside the config file, or drop --config');
  }
  const base = options.config !== undefined ? await loadSimConfigFile(options.config) : resolveSimConfig({}, options.preset === undefined ? {} : { preset: options.preset });
  return { ...base, ...(options.profile === undefined ? {} : { profile: options.profile }), ...(options.seed === undefined ? {} : { seed: options.seed }) };
}

function common(command: Command, defaultPort: number, withNoise: boolean): Command {
  command
    .option('--port <port>', 'port to listen on (0 = a free port)', port, defaultPort)
    .option('--host <host>', 'interface to bind (loopback by default)', '127.0.0.1');
  if (withNoise) {
    command
      .addOption(new Option('--preset <name>', 'noise preset (default paper-like)').choices(NOISE_PRESET_NAMES))
      .option('--config <file>', 'JSON config: {"preset", "seed", "profile", "noise": {…knob overrides}}')
      .option('--seed <seed>', 'server seed mixed into every request', integer);
  }
  return command;
}

/** Block until Ctrl-C / SIGTERM, then close the server. */
async function serveUntilStopped(close: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await close();
  process.stderr.write('simulated server stopped\n');
}

export function registerSimServeMllmCommand(sim: Command): void {
  common(sim.command('serve-mllm'), 8100, true)
    .description('Start a SIMULATED OpenAI-compatible MLLM (answers from SynthWorld pixels + a noise model; not a real model).')
    .option('--profile <name>', 'emulated model profile (box convention, model id): qwen2.5-vl, qwen3-vl, internvl3.5, generic')
    .action(async (options: ServeOptions) => {
      const config = await resolveOptions(options);
      const server = await startSimMllmServer({ port: options.port, host: options.host, config });
      process.stdout.write(`SIMULATED MLLM (not a real model) at ${server.url}/v1 — model "${server.modelId}", preset ${config.preset}, seed ${config.seed}\n`);
      await serveUntilStopped(server.close);
    });
}

export function registerSimServeSegmenterCommand(sim: Command): void {
  common(sim.command('serve-segmenter'), 8101, true)
    .description('Start a SIMULATED SAM 3 segmenter speaking the Roboflow inference protocol (not a real model).')
    .action(async (options: ServeOptions) => {
      const config = await resolveOptions(options);
      const server = await startSimSegmenterServer({ port: options.port, host: options.host, config });
      process.stdout.write(`SIMULATED SAM 3 segmenter (not a real model) at ${server.url} — /sam3/embed_image, /sam3/concept_segment, /metrics; preset ${config.preset}\n`);
      await serveUntilStopped(server.close);
    });
}

export function registerSimServeEmbeddingsCommand(sim: Command): void {
  common(sim.command('serve-embeddings'), 8102, false)
    .description('Start a SIMULATED OpenAI-compatible embeddings server (offline lexical/perceptual vectors, not a real model).')
    .action(async (options: ServeOptions) => {
      const server = await startSimEmbeddingsServer({ port: options.port, host: options.host });
      process.stdout.write(`SIMULATED embeddings (lexical/perceptual, not a real model) at ${server.url}/v1 — model "sim-embedding"\n`);
      await serveUntilStopped(server.close);
    });
}
