/**
 * `npm run bench -- engine-cpu`: the eval process's own CPU per evol sample (issue 18), against the CPU the
 * SIMULATED MLLM and segmenter spend serving it. The servers run in their own child processes (`mmevolve
 * sim serve-*`, paper-like preset, zero simulated latency), so this process holds only what `mmevolve eval`
 * runs: dataset reading, the engine, the HTTP clients, image encoding, the in-memory response cache, scoring
 * and the run folder. Per preset (evol published, evol improved) it prints the process's CPU per sample
 * (process.cpuUsage: every thread, libvips and libuv workers included), split by thread (/proc/self/task),
 * and the servers' CPU per sample (/proc/<pid>/stat). Then a second, profiled pass (node:inspector, main
 * thread only — the profiler costs CPU itself, so its pass is not the one timed) breaks the main thread's
 * time down by where it is spent.
 *
 * Env: MMEVOLVE_ENGINE_CPU_IMAGES (default 20), MMEVOLVE_ENGINE_CPU_SEED (default 13), MMEVOLVE_ENGINE_CPU_PROFILE
 * (a path: the profiled pass's .cpuprofile is written there), MMEVOLVE_ENGINE_CPU_PROFILE_PRESET (published, the
 * default, or improved: the preset of the profiled pass). Linux only for the
 * per-thread and server figures (/proc). Numbers describe mmevolve's own CPU under the simulation, not a model.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createBackends, parseConfig } from '../src/backends/index.js';
import type { Backends } from '../src/backends/index.js';
import type { EvolvePresetName } from '../src/evolve/index.js';
import { exportReasonSeg } from '../src/sim/index.js';
import { startProcess, stop } from './bench-processes.js';
import { runSegMethod } from './sim-runs.js';
import type { SimStackForBench } from './sim-runs.js';

const IMAGES = Number(process.env.MMEVOLVE_ENGINE_CPU_IMAGES ?? 20);
const SEED = Number(process.env.MMEVOLVE_ENGINE_CPU_SEED ?? 13);
const WARM_UP_IMAGES = 3;
const PRESETS: EvolvePresetName[] = ['published', 'improved'];
const PROFILED_PRESET: EvolvePresetName = process.env.MMEVOLVE_ENGINE_CPU_PROFILE_PRESET === 'improved' ? 'improved' : 'published';

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');

/** CPU seconds (user + system) of a process or one of its threads, from /proc (Linux); NaN elsewhere. */
function procCpuSeconds(statPath: string): number {
  try {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds per thread kind of this process (main thread, libuv pool, libvips, V8 helpers…). */
function threadCpu(): Map<string, number> {
  const byKind = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byKind;
  }
  for (const tid of tasks) {
    let name = '?';
    try {
      name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    // Unnamed threads inherit "node": the libuv pool (sharp's calls, crypto, fs) and V8's platform workers.
    const kind = tid === String(process.pid) ? 'main thread (JS)' : name === 'node' ? 'other node threads (libuv pool, V8 workers)' : name.replace(/[-_ ]?\d+$/u, '');
    byKind.set(kind, (byKind.get(kind) ?? 0) + procCpuSeconds(`/proc/self/task/${tid}/stat`));
  }
  return byKind;
}

interface ChildStack {
  stack(): Pick<SimStackForBench, 'backends'> & { close(): Promise<void> };
  serverCpuSeconds(): { mllm: number; segmenter: number };
  close(): Promise<void>;
}

async function startChildServers(directory: string): Promise<ChildStack> {
  const simConfig = path.join(directory, 'sim.json');
  await writeFile(simConfig, JSON.stringify({ preset: 'paper-like', seed: SEED, noise: { latency: { medianMs: 0, sigma: 0 } } }));
  const mllm = await startProcess(['sim', 'serve-mllm', '--port', '0', '--config', simConfig], /at (http:\/\/[^\s]+)\/v1/u);
  const segmenter = await startProcess(['sim', 'serve-segmenter', '--port', '0', '--config', simConfig], /at (http:\/\/[^\s]+) /u).catch(async (error: unknown) => {
    await stop(mllm.child);
    throw error;
  });
  const modelId = /model "([^"]+)"/u.exec(mllm.output)?.[1] ?? 'sim-qwen2.5-vl';
  return {
    stack() {
      const backends: Backends = createBackends(
        parseConfig({
          backends: {
            // Image encoding as `mmevolve eval` has it by default (JPEG q90, framed to the profile).
            mllm: { baseURL: `${mllm.url}/v1`, model: modelId, profile: 'qwen2.5-vl', concurrency: 16 },
            segmenter: { baseURL: segmenter.url, concurrency: 16 },
          },
          // As `mmevolve eval` has by default: an in-memory response cache, empty at the start.
          cache: { enabled: true, path: ':memory:' },
        }),
      );
      return { backends, close: async () => backends.close() };
    },
    serverCpuSeconds: () => ({ mllm: procCpuSeconds(`/proc/${mllm.child.pid}/stat`), segmenter: procCpuSeconds(`/proc/${segmenter.child.pid}/stat`) }),
    close: async () => {
      await Promise.all([stop(mllm.child), stop(segmenter.child)]);
    },
  };
}

async function samplesIn(out: string): Promise<number> {
  const text = await readFile(path.join(out, 'results.jsonl'), 'utf8');
  return text.split('\n').filter((line) => line.includes('"kind":"segmentation"') && line.includes('"status":"ok"')).length;
}

/** Where a profile node's self time goes, by the file (and for some, the function) it runs in. */
function category(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)' || functionName === '(program)') return functionName;
  const file = url.replace(/^file:\/\//u, '');
  const inRepo = /\/src\/(.+)$/u.exec(file)?.[1];
  if (inRepo !== undefined) return `src/${inRepo} ${functionName === '' ? '(anonymous)' : functionName}`;
  if (/node_modules\/(zod)\//u.test(file)) return 'zod';
  if (/node_modules\/(sharp)\//u.test(file)) return 'sharp (JS side)';
  if (/node_modules\/(hono|@hono)\//u.test(file)) return 'hono';
  if (/node_modules\/(openai)\//u.test(file)) return 'openai SDK';
  if (/node_modules\/(better-sqlite3)\//u.test(file)) return 'better-sqlite3';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//u.exec(file)?.[1];
  if (module !== undefined) return module;
  if (file.startsWith('node:') || file === '') {
    if (/^(digest|update|hash|createHash)$/u.test(functionName)) return 'crypto hashing';
    if (/^(toString|base64Slice|write|from)$/u.test(functionName)) return `Buffer ${functionName}`;
    if (file.includes('undici') || file.includes('internal/deps')) return 'undici (fetch)';
    return functionName === '' ? 'node internals' : `native/node: ${functionName}`;
  }
  return file;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

/** The profile's categories gathered by who owns the work. */
function group(key: string): string {
  if (key.startsWith('src/evolve/') || key.startsWith('src/vision/')) return 'engine: overlays, masks, RLE, search (src/evolve, src/vision)';
  if (key.startsWith('src/backends/') || key.startsWith('src/core/') || key.startsWith('src/protocols/') || key === 'sharp (JS side)' || key === 'crypto hashing' || key.startsWith('Buffer ') || key === 'zod') {
    return 'clients: image encoding, hashing, cache keys, parsing (src/backends, sharp, crypto)';
  }
  if (key.startsWith('src/eval/')) return 'eval harness: dataset, scoring, run folder (src/eval)';
  if (key === 'undici (fetch)' || key === 'openai SDK' || key === 'node internals' || key.startsWith('native/node: ')) return 'HTTP transport and Node runtime (fetch/undici, streams, sockets, openai SDK)';
  if (key === 'garbage collector') return 'garbage collector';
  return 'other';
}

function breakdown(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index += 1) {
    const node = byId.get(samples[index] as number);
    if (node === undefined) continue;
    const key = category(node.callFrame.url, node.callFrame.functionName);
    totals.set(key, (totals.get(key) ?? 0) + (deltas[index + 1] ?? deltas[index] ?? 0) / 1000);
  }
  return [...totals.entries()].sort((first, second) => second[1] - first[1]);
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-bench-engine-cpu-'));
  const servers = await startChildServers(root);
  try {
    const dataset = path.join(root, 'reasonseg');
    const warmUp = path.join(root, 'warm-up');
    await exportReasonSeg({ n: IMAGES, seed: SEED, out: dataset });
    await exportReasonSeg({ n: WARM_UP_IMAGES, seed: SEED + 1, out: warmUp });
    console.log(
      `SIMULATED MLLM and SAM 3 servers (paper-like, zero latency) in child processes; ${IMAGES} SynthWorld ReasonSeg images (seed ${SEED}), 2 samples at a time, ` +
        `in-memory response cache per preset; ${WARM_UP_IMAGES} warm-up samples first (not counted). Load before: ${load()}`,
    );
    const rows: string[] = [];
    const threadRows: string[] = [];
    for (const preset of PRESETS) {
      const runSpec = { label: `evol-${preset}`, method: 'evol' as const, preset };
      const warm = servers.stack();
      try {
        await runSegMethod(warm, warmUp, path.join(root, `warm-${preset}`), runSpec, 2);
      } finally {
        await warm.close();
      }
      const stack = servers.stack();
      try {
        const out = path.join(root, runSpec.label);
        const serversBefore = servers.serverCpuSeconds();
        const threadsBefore = threadCpu();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await runSegMethod(stack, dataset, out, runSpec, 2);
        const wallMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const threadsAfter = threadCpu();
        const serversAfter = servers.serverCpuSeconds();
        const n = await samplesIn(out);
        const perSample = (seconds: number): string => ((1000 * seconds) / Math.max(1, n)).toFixed(0);
        const engineMs = (cpu.user + cpu.system) / 1000 / Math.max(1, n);
        const mllmMs = Number(perSample(serversAfter.mllm - serversBefore.mllm));
        const segmenterMs = Number(perSample(serversAfter.segmenter - serversBefore.segmenter));
        rows.push(`| evol ${preset} | ${n} | ${engineMs.toFixed(0)} | ${mllmMs} + ${segmenterMs} = ${mllmMs + segmenterMs} | ${(engineMs / Math.max(1, mllmMs + segmenterMs)).toFixed(2)} | ${(wallMs / Math.max(1, n)).toFixed(0)} | ${load()} |`);
        const kinds = [...threadsAfter.entries()].map(([kind, seconds]) => [kind, seconds - (threadsBefore.get(kind) ?? 0)] as const).filter(([, seconds]) => seconds > 0);
        kinds.sort((first, second) => second[1] - first[1]);
        threadRows.push(`  evol ${preset}: ${kinds.map(([kind, seconds]) => `${kind} ${perSample(seconds)}`).join(', ')} (ms per sample, /proc at 10 ms ticks)`);
      } finally {
        await stack.close();
      }
    }
    console.log('\n| preset | samples | eval process CPU ms/sample | SIMULATED servers CPU ms/sample (MLLM + SAM 3) | eval ÷ servers | wall ms/sample | load after |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log('\nEval process CPU by thread:');
    for (const row of threadRows) console.log(row);

    // Profiled pass (not timed above): where the main thread's time goes, for one preset.
    const session = new Session();
    session.connect();
    const stack = servers.stack();
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      await runSegMethod(stack, dataset, path.join(root, 'profiled'), { label: 'profiled', method: 'evol', preset: PROFILED_PRESET }, 2);
      const { profile } = await session.post('Profiler.stop');
      const saveTo = process.env.MMEVOLVE_ENGINE_CPU_PROFILE;
      if (saveTo !== undefined && saveTo !== '') {
        await writeFile(saveTo, JSON.stringify(profile));
        console.log(`profile written to ${saveTo} (open it in Chrome DevTools, Performance tab)`);
      }
      const n = await samplesIn(path.join(root, 'profiled'));
      const entries = breakdown(profile as never).filter(([key]) => key !== '(idle)');
      const busy = entries.reduce((sum, [, ms]) => sum + ms, 0);
      console.log(`\nMain thread profile, evol ${PROFILED_PRESET} (${n} samples, sampled every 200 µs; ms per sample, share of busy main-thread time):`);
      const groups = new Map<string, number>();
      for (const [key, ms] of entries) groups.set(group(key), (groups.get(group(key)) ?? 0) + ms);
      console.log('By owner:');
      for (const [key, ms] of [...groups.entries()].sort((first, second) => second[1] - first[1])) console.log(`  ${(ms / Math.max(1, n)).toFixed(1).padStart(7)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${key}`);
      console.log('Top entries:');
      for (const [key, ms] of entries.slice(0, 30)) console.log(`  ${(ms / Math.max(1, n)).toFixed(1).padStart(7)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${key}`);
    } finally {
      session.disconnect();
      await stack.close();
    }
  } finally {
    await servers.close();
    await rm(root, { recursive: true, force: true });
  }
}
