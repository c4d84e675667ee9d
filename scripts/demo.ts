/**
 * `npm run demo`: everything on loopback with SIMULATED backends, from a fresh clone after `npm ci`.
 * Starts SynthWorld's simulated MLLM, segmenter and embeddings servers (free ports), builds the web UI
 * when stale, generates a small SynthWorld ReasonSeg set, starts `mmevolve serve --dev` (port 8080, or a
 * free port when 8080 is taken), prints the URL and what to try, and runs a short evaluation whose report
 * shows up in the UI's Runs view. Ctrl-C (SIGINT) or SIGTERM stops every part and exits 0.
 *
 * Flags: --port N (default 8080; 0 = any free port), --dir D (default .mmevolve/demo), --samples N
 * (default 8), --preset oracle|paper-like|weak|adversarial (simulated noise, default paper-like),
 * --no-eval (skip the evaluation).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SIM_EMBEDDING_MODEL, exportReasonSeg, isNoisePresetName, startSimStack } from '../src/sim/index.js';
import type { NoisePresetName, SimStack } from '../src/sim/index.js';
import { ensureWebBuild } from '../src/web/build-web.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'mmevolve.js');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    dir: { type: 'string', default: '.mmevolve/demo' },
    samples: { type: 'string', default: '8' },
    preset: { type: 'string', default: 'paper-like' },
    'no-eval': { type: 'boolean', default: false },
  },
});

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const warn = (line: string): void => void process.stderr.write(`[demo] ${line}\n`);

function fail(message: string): never {
  process.stderr.write(`error [demo]: ${message}\n`);
  process.exit(1);
}

/** A failure after servers started: stop them first. */
function failRunning(message: string): Promise<never> {
  process.stderr.write(`error [demo]: ${message}\n`);
  return stop('failed', 1).then(() => process.exit(1));
}

const preset: NoisePresetName = isNoisePresetName(values.preset) ? values.preset : fail(`unknown --preset "${values.preset}" (use oracle, paper-like, weak or adversarial)`);
const samples = Number(values.samples);
if (!Number.isInteger(samples) || samples < 1 || samples > 500) fail(`--samples must be 1–500, got "${values.samples}"`);
const requestedPort = Number(values.port);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) fail(`--port must be 0–65535, got "${values.port}"`);
const dir = resolve(values.dir);

/** The requested port when it is free on loopback, else 0 (the server then picks a free one). */
async function choosePort(port: number): Promise<number> {
  if (port === 0) return 0;
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(port)));
  });
}

const children = new Set<ChildProcess>();
let sims: SimStack | undefined;
let stopping = false;

function runCli(args: string[], onLine?: (line: string) => void): { child: ChildProcess; exited: Promise<number> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (onLine === undefined) process.stdout.write(`${line}\n`);
      else onLine(line);
      newline = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<number>((done) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      done(code ?? (signal === null ? 1 : 0));
    });
  });
  return { child, exited };
}

async function stop(reason: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  warn(`${reason}: stopping the server and the simulated backends…`);
  const waits = [...children].map(
    (child) =>
      new Promise<void>((done) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          done();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        // SIGINT is what Ctrl-C sends: serve closes its sockets, eval stops between samples (resumable).
        child.kill('SIGINT');
      }),
  );
  await Promise.all(waits);
  await sims?.close();
  warn('stopped.');
  process.exit(exitCode);
}

process.once('SIGINT', () => void stop('Ctrl-C'));
process.once('SIGTERM', () => void stop('SIGTERM'));

async function main(): Promise<void> {
  say('mmevolve demo — everything below runs on SIMULATED backends (SynthWorld), not real models.');
  const web = await ensureWebBuild();
  say(web.built ? `built the web UI into ${web.dir}` : `web UI is up to date in ${web.dir}`);

  sims = await startSimStack({ preset });
  say(`SIMULATED MLLM ${sims.mllm.url} (${sims.mllm.modelId}), SIMULATED segmenter ${sims.segmenter.url}, SIMULATED embeddings ${sims.embeddings.url} — noise preset ${preset}`);

  const dataset = join(dir, 'dataset');
  await rm(dataset, { recursive: true, force: true });
  const exported = await exportReasonSeg({ n: samples, seed: 7, out: dataset });
  say(`generated ${exported.n} SIMULATED SynthWorld ReasonSeg samples in ${dataset}`);

  const configPath = join(dir, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: sims.segmenter.url, sendImageWithId: false },
      embedder: { kind: 'openai', baseURL: `${sims.embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const port = await choosePort(requestedPort);
  if (port !== requestedPort) warn(`port ${requestedPort} is taken; using a free port instead`);
  const runsDir = join(dir, 'runs');
  // A fresh memory database per demo: its embedder (the simulated one) is fixed when the workspace is made.
  await rm(join(dir, 'memory.sqlite'), { force: true });
  let announce: (url: string) => void = () => undefined;
  const listening = new Promise<string>((done) => (announce = done));
  const serve = runCli(
    ['serve', '--dev', '--host', '127.0.0.1', '--port', String(port), '--config', configPath, '--db', join(dir, 'memory.sqlite'), '--keys-db', join(dir, 'keys.sqlite'), '--runs-dir', runsDir, '--static', web.dir],
    (line) => {
      process.stdout.write(`  [serve] ${line}\n`);
      const match = /listening on (http:\/\/\S+)/u.exec(line);
      if (match?.[1] !== undefined) announce(match[1]);
    },
  );
  let url: string | undefined;
  void serve.exited.then((code) => {
    if (stopping) return;
    if (url === undefined) void failRunning(`mmevolve serve exited with code ${code} before listening`);
    else void stop(`mmevolve serve exited (code ${code})`, code === 0 ? 0 : 1);
  });
  url = await listening;

  say('');
  say(`  Open ${url}/   (SIMULATED backends — the banner on every page says so)`);
  say('  Try:');
  say(`    • Segment: drop an image from ${dataset} (e.g. its first .jpg), type a query such as`);
  say('      "the largest circle" or one from the dataset, pick "evol", and watch the population, fights and fitness live.');
  say('    • Runs: the demo evaluation below appears there with its report plots and per-sample results.');
  say('    • Memory: add, search, edit and delete lessons for the "dev" tenant; every edit keeps a version.');
  say('  Press Ctrl-C to stop.');
  say('');

  if (values['no-eval'] !== true) {
    const out = join(runsDir, 'demo-evol');
    say(`running a short SIMULATED evaluation (evol on ${samples} samples) into ${out} …`);
    const evaluation = runCli(['eval', '--dataset', dataset, '--method', 'evol', '--out', out, '--config', configPath, '--concurrency', '2'], (line) => process.stdout.write(`  [eval] ${line}\n`));
    const code = await evaluation.exited;
    if (stopping) return;
    if (code === 0) say(`evaluation finished: its report is in ${out}/report.md and in the UI under Runs (${url}/#/runs).`);
    else warn(`the evaluation exited with code ${code}; the server keeps running.`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error [demo]: ${error instanceof Error ? error.message : String(error)}\n`);
  void stop('failed', 1);
});
