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
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SIM_EMBEDDING_MODEL, exportReasonSeg, isNoisePresetName, startSimStack } from '../src/sim/index.js';
import type { NoisePresetName, SimStack } from '../src/sim/index.js';
import { parseAppConfig } from '../src/app/index.js';
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
        // SIGTERM, not SIGINT: on Ctrl-C the terminal already sent the child a SIGINT, and a second signal
        // of the same kind could hit a once-only handler and kill it before it closed its stores.
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(waits);
  await sims?.close();
  warn('stopped.');
  process.exit(exitCode);
}

// `on`, not `once`: under `npm run` and tsx the same Ctrl-C arrives twice (from the terminal and relayed);
// a second one must not fall back to the default action (killing the demo mid-shutdown).
process.on('SIGINT', () => void stop('Ctrl-C'));
process.on('SIGTERM', () => void stop('SIGTERM'));

async function main(): Promise<void> {
  say('mmevolve demo — everything below runs on SIMULATED backends (SynthWorld), not real models.');
  const web = await ensureWebBuild();
  say(web.built ? `built the web UI into ${web.dir}` : `web UI is up to date in ${web.dir}`);

  sims = await startSimStack({ preset });
  say(`SIMULATED MLLM ${sims.mllm.url} (${sims.mllm.modelId}), SIMULATED segmenter ${sims.segmenter.url}, SIMULATED embeddings ${sims.embeddings.url} — noise preset ${preset}`);

  // Runs started over HTTP may only name folders inside the server's --datasets-dir.
  const datasetsDir = join(dir, 'datasets');
  const datasetName = 'synthworld';
  const dataset = join(datasetsDir, datasetName);
  // Same seed and size ⇒ byte-identical files: keep an existing set (a resumed run may be reading it).
  const existing = await readdir(dataset).catch(() => [] as string[]);
  if (existing.filter((name) => name.endsWith('.jpg')).length !== samples) {
    await rm(dataset, { recursive: true, force: true });
    await exportReasonSeg({ n: samples, seed: 7, out: dataset });
  }
  say(`SIMULATED SynthWorld ReasonSeg set: ${samples} samples in ${dataset}`);
  const firstQuery = await readFile(join(dataset, 'synth-000000.json'), 'utf8').then(
    (text) => String((JSON.parse(text) as { text?: unknown[] }).text?.[0] ?? 'the largest circle'),
    () => 'the largest circle',
  );

  const configPath = join(dir, 'mmevolve.config.json');
  const config = {
    backends: {
      mllm: { baseURL: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: sims.segmenter.url },
      embedder: { kind: 'openai', baseURL: `${sims.embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  };
  // Checked by the app layer's own schema before `mmevolve serve` opens its workspace from the file.
  parseAppConfig(config, configPath);
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const port = await choosePort(requestedPort);
  if (port !== requestedPort) warn(`port ${requestedPort} is taken; using a free port instead`);
  const runsDir = join(dir, 'runs');
  let announce: (url: string) => void = () => undefined;
  const listening = new Promise<string>((done) => (announce = done));
  const serve = runCli(
    ['serve', '--dev', '--host', '127.0.0.1', '--port', String(port), '--config', configPath, '--db', join(dir, 'memory.sqlite'), '--keys-db', join(dir, 'keys.sqlite'), '--runs-dir', runsDir, '--datasets-dir', datasetsDir, '--static', web.dir],
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
  say(`    • Segment: drop ${join(dataset, 'synth-000000.jpg')} on the page, type its query`);
  say(`      "${firstQuery}",`);
  say('      pick "evol", and watch the population, fights and fitness per generation arrive live.');
  say('    • Runs: the demo evaluation below appears there live, then with its report plots and per-sample traces;');
  say(`      start another (dataset "${datasetName}", method "single") and compare the two.`);
  say('    • Memory: add, search, edit and delete lessons for the "dev" tenant; every edit keeps a version.');
  say('  Press Ctrl-C to stop.');
  say('');

  if (values['no-eval'] !== true) await evaluate(url, datasetName, samples);
}

interface RunState {
  id: string;
  state: string;
  progress?: { done: number; total: number; metric: string };
  error?: { message: string; hint: string };
}

function isRunState(value: unknown): value is RunState {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['id'] === 'string' && typeof (value as Record<string, unknown>)['state'] === 'string';
}

/** A short evaluation started through the API (POST /v1/runs), so it is the server's run and the UI lists it. */
async function evaluate(url: string, dataset: string, limit: number): Promise<void> {
  say(`starting a short SIMULATED evaluation through the API: evol on ${limit} samples of ${dataset} …`);
  const response = await fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataset, method: 'evol', limit, concurrency: 2 }) });
  const started: unknown = await response.json();
  if (!response.ok || !isRunState(started)) {
    warn(`POST /v1/runs answered ${response.status}: ${JSON.stringify(started).slice(0, 300)}; the server keeps running without a demo run.`);
    return;
  }
  say(`  run ${started.id}: follow it live at ${url}/#/runs/${started.id}`);
  let last = '';
  while (!stopping) {
    await new Promise((done) => setTimeout(done, 1000));
    if (stopping) return;
    const current: unknown = await (await fetch(`${url}/v1/runs/${started.id}`)).json();
    if (!isRunState(current)) continue;
    const line = `  run ${current.id}: ${current.state}${current.progress === undefined ? '' : ` ${current.progress.done}/${current.progress.total} ${current.progress.metric}`}`;
    if (line !== last) say(line);
    last = line;
    if (current.state === 'done') {
      say(`evaluation finished: its report (SIMULATED) is in the UI at ${url}/#/runs/${current.id}`);
      return;
    }
    if (current.state === 'failed' || current.state === 'cancelled') {
      warn(`the evaluation ended ${current.state}${current.error === undefined ? '' : `: ${current.error.message} — ${current.error.hint}`}; the server keeps running.`);
      return;
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error [demo]: ${error instanceof Error ? error.message : String(error)}\n`);
  void stop('failed', 1);
});
