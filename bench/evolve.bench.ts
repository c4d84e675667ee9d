/**
 * Evolutionary reasoning segmentation vs its baselines (issue 6) on SIMULATED servers: SynthWorld scenes
 * (640×480, half reasoning sentences), the `paper-like` noise preset, the qwen2.5-vl profile. Per method:
 * LISA gIoU/cIoU (src/eval metrics), MLLM and segmenter calls per sample, segmenter image encodes per
 * image (the simulated segmenter's /metrics), wall time. Then engine overhead — wall time minus time with
 * a backend call in flight, as a share of wall time — on a few scenes with simulated latencies (MLLM
 * median 400 ms, segmenter 80 ms), with the simulated servers in child processes (`mmevolve sim
 * serve-*`) so that this process holds only engine and client; its CPU time (process.cpuUsage: engine,
 * HTTP client and image encoding) is reported too, being immune to other load on the machine. Every
 * number here describes the simulation, never a real model.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAICompatibleClient, createSam3Segmenter } from '../src/backends/index.js';
import { getProfile } from '../src/protocols/index.js';
import type { Mask, RgbImage } from '../src/core/index.js';
import { segmentationCounts, summarize } from '../src/eval/index.js';
import type { ScoredSample } from '../src/eval/index.js';
import { resolveEvolveConfig, runSegmentation } from '../src/evolve/index.js';
import type { EvolveConfig, SegmentationBackends, SegmentationMethod, SegmentationResult } from '../src/evolve/index.js';
import { createRng, generateScene, generateSegQuery, renderScene, resolveSimConfig, startSimMllmServer, startSimSegmenterServer } from '../src/sim/index.js';
import type { SimSegmenterServer } from '../src/sim/index.js';

const SCENES = 30;
const OVERHEAD_SCENES = 3;
/** Median simulated latencies for the overhead run: a 7B VLM answering with an image, SAM 3 on a GPU. */
const MLLM_LATENCY_MS = 400;
const SEGMENTER_LATENCY_MS = 80;

interface Scene {
  image: RgbImage;
  query: string;
  isSentence: boolean;
  target: Mask;
}

function scene(seed: number): Scene {
  const rendered = renderScene(generateScene(seed, { width: 640, height: 480 }));
  const query = generateSegQuery(rendered.objects, rendered.fullyVisible, createRng(seed + 1000), { sentenceRate: 0.5, noTargetRate: 0 });
  const { width, height } = rendered.image;
  const target = query.targetIndex === null ? { width, height, data: new Uint8Array(width * height) } : (rendered.instanceMasks[query.targetIndex] ?? { width, height, data: new Uint8Array(width * height) });
  return { image: rendered.image, query: query.query, isSentence: query.isSentence, target };
}

interface Variant {
  name: string;
  method: SegmentationMethod;
  config: EvolveConfig;
}

const VARIANTS: Variant[] = [
  { name: 'single', method: 'single', config: resolveEvolveConfig('published') },
  { name: 'box', method: 'box', config: resolveEvolveConfig('published') },
  { name: 'agent', method: 'agent', config: resolveEvolveConfig('published') },
  { name: 'evol-published', method: 'evol', config: resolveEvolveConfig('published') },
  { name: 'evol-improved', method: 'evol', config: resolveEvolveConfig('improved') },
];

function simConfig(latencyMs: number): ReturnType<typeof resolveSimConfig> {
  return resolveSimConfig({ preset: 'paper-like', noise: { latency: { medianMs: latencyMs, sigma: 0.3 } } });
}

/** Start `mmevolve sim serve-<kind>` in a child process; resolves with its URL (the first http URL it prints). */
async function childServer(kind: 'mllm' | 'segmenter', configPath: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../bin/mmevolve.js', import.meta.url)), 'sim', `serve-${kind}`, '--port', '0', '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`sim serve-${kind} exited with ${String(code)} before listening: ${output}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function childServers(mllmLatencyMs: number, segmenterLatencyMs: number): Promise<{ backends: () => SegmentationBackends; close: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'evolve-bench-'));
  const config = (latencyMs: number): string => JSON.stringify({ preset: 'paper-like', noise: { latency: { medianMs: latencyMs, sigma: 0.3 } } });
  await writeFile(join(directory, 'mllm.json'), config(mllmLatencyMs));
  await writeFile(join(directory, 'segmenter.json'), config(segmenterLatencyMs));
  const mllm = await childServer('mllm', join(directory, 'mllm.json'));
  const segmenter = await childServer('segmenter', join(directory, 'segmenter.json'));
  return {
    backends: () => ({
      mllm: createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: 'sim-qwen2.5-vl', profile: getProfile('qwen2.5-vl'), image: { format: 'png' }, retryBaseDelayMs: 1, concurrency: 16 }),
      segmenter: createSam3Segmenter({ baseURL: segmenter.url, retryBaseDelayMs: 1, concurrency: 16 }),
    }),
    close: async () => {
      mllm.stop();
      segmenter.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function servers(mllmLatencyMs: number, segmenterLatencyMs: number): Promise<{ backends: () => SegmentationBackends; segmenter: SimSegmenterServer; close: () => Promise<void> }> {
  const mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', config: simConfig(mllmLatencyMs) });
  const segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', config: simConfig(segmenterLatencyMs) });
  return {
    segmenter,
    backends: () => ({
      mllm: createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: getProfile('qwen2.5-vl'), image: { format: 'png' }, retryBaseDelayMs: 1, concurrency: 16 }),
      segmenter: createSam3Segmenter({ baseURL: segmenter.url, retryBaseDelayMs: 1, concurrency: 16 }),
    }),
    close: async () => {
      await mllm.close();
      await segmenter.close();
    },
  };
}

interface Row {
  name: string;
  samples: ScoredSample[];
  mllmCalls: number;
  segmenterCalls: number;
  encodes: number;
  wallMs: number;
  failures: number;
}

const pct = (value: number | null): string => (value === null ? '–' : (value * 100).toFixed(1));

async function runVariant(variant: Variant, scenes: readonly Scene[], backends: () => SegmentationBackends, segmenter: SimSegmenterServer): Promise<Row> {
  const row: Row = { name: variant.name, samples: [], mllmCalls: 0, segmenterCalls: 0, encodes: 0, wallMs: 0, failures: 0 };
  const encodesBefore = segmenter.metrics.imageEncodes;
  for (const sample of scenes) {
    try {
      const result = await runSegmentation(variant.method, sample.image, sample.query, { backends: backends(), config: variant.config, isSentence: sample.isSentence });
      row.samples.push({ counts: segmentationCounts(result.mask, sample.target), isSentence: sample.isSentence });
      row.mllmCalls += result.counters.mllmCalls + result.counters.judgeCalls;
      row.segmenterCalls += result.counters.segmenterCalls;
      row.wallMs += result.counters.wallMs;
    } catch (error) {
      // A failed sample scores as an empty mask (as in an evaluation) and is counted.
      row.failures += 1;
      row.samples.push({ counts: segmentationCounts({ ...sample.target, data: new Uint8Array(sample.target.data.length) }, sample.target), isSentence: sample.isSentence });
      console.log(`  ${variant.name}: sample failed: ${(error as Error).message}`);
    }
  }
  row.encodes = segmenter.metrics.imageEncodes - encodesBefore;
  return row;
}

export async function run(): Promise<void> {
  console.log(`SIMULATED: ${SCENES} SynthWorld scenes, paper-like noise, simulated MLLM (sim-qwen2.5-vl) and SAM 3 on loopback — not a real model.`);
  const scenes = Array.from({ length: SCENES }, (_, index) => scene(index + 1));
  const quality = await servers(0, 0);
  const rows: Row[] = [];
  try {
    for (const variant of VARIANTS) rows.push(await runVariant(variant, scenes, quality.backends, quality.segmenter));
  } finally {
    await quality.close();
  }
  console.log(`\n${'method'.padEnd(16)} ${'gIoU'.padStart(6)} ${'cIoU'.padStart(6)} ${'short'.padStart(6)} ${'long'.padStart(6)} ${'MLLM/s'.padStart(7)} ${'SAM/s'.padStart(6)} ${'enc/img'.padStart(7)} ${'ms/s'.padStart(6)} fail`);
  for (const row of rows) {
    const summary = summarize(row.samples);
    const n = row.samples.length;
    console.log(
      `${row.name.padEnd(16)} ${pct(summary.giou).padStart(6)} ${pct(summary.ciou).padStart(6)} ${pct(summary.subsets.short.giou).padStart(6)} ${pct(summary.subsets.long.giou).padStart(6)} ` +
        `${(row.mllmCalls / n).toFixed(2).padStart(7)} ${(row.segmenterCalls / n).toFixed(2).padStart(6)} ${(row.encodes / n).toFixed(2).padStart(7)} ${(row.wallMs / n).toFixed(0).padStart(6)} ${row.failures}`,
    );
  }
  const byName = new Map(rows.map((row) => [row.name, row]));
  const giou = (name: string): number => summarize(byName.get(name)?.samples ?? []).giou ?? 0;
  const calls = (name: string): number => byName.get(name)?.mllmCalls ?? 0;
  console.log(`\nevol-published − single: ${((giou('evol-published') - giou('single')) * 100).toFixed(1)} gIoU points; evol-improved − single: ${((giou('evol-improved') - giou('single')) * 100).toFixed(1)}`);
  console.log(`evol-improved vs evol-published: MLLM calls ${(100 * (1 - calls('evol-improved') / Math.max(1, calls('evol-published')))).toFixed(1)}% fewer, gIoU ${((giou('evol-improved') - giou('evol-published')) * 100).toFixed(1)} points`);

  console.log(`\nEngine overhead with simulated latencies (median ${MLLM_LATENCY_MS} ms per MLLM call, ${SEGMENTER_LATENCY_MS} ms per segmenter call), ${OVERHEAD_SCENES} scenes:`);
  const slow = await childServers(MLLM_LATENCY_MS, SEGMENTER_LATENCY_MS);
  try {
    for (const variant of VARIANTS.filter((entry) => entry.method === 'evol')) {
      const results: SegmentationResult[] = [];
      const cpuBefore = process.cpuUsage();
      for (const sample of scenes.slice(0, OVERHEAD_SCENES)) {
        results.push(await runSegmentation('evol', sample.image, sample.query, { backends: slow.backends(), config: variant.config, isSentence: sample.isSentence }));
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const wall = results.reduce((sum, result) => sum + result.counters.wallMs, 0);
      const waiting = results.reduce((sum, result) => sum + result.counters.backendWaitMs, 0);
      console.log(
        `  ${variant.name.padEnd(16)} wall ${(wall / results.length).toFixed(0)} ms/sample; not waiting on a backend ${(wall - waiting).toFixed(0)} ms = ${((100 * (wall - waiting)) / wall).toFixed(2)}% of wall; ` +
          `process CPU (engine + client) ${cpuMs.toFixed(0)} ms = ${((100 * cpuMs) / wall).toFixed(2)}% of wall`,
      );
    }
  } finally {
    await slow.close();
  }
}
