import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mask, RgbImage } from '../../core/index.js';
import { createRng, generateScene, generateSegQuery, renderScene, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { cocoRleSchema, decodeMaskPng, decodeRle, maskIou, writeImage } from '../../vision/index.js';
import { locateFfmpeg } from '../../backends/index.js';
import { runSegmentCommand } from './segment.js';
import { runSegmentVideoCommand } from './segment-video.js';
import type { SegmentCommandOptions } from './segment.js';

/** A SynthWorld scene (SIMULATED) with its query and target mask. */
function simScene(seed: number): { image: RgbImage; query: string; target: Mask } {
  const rendered = renderScene(generateScene(seed, { width: 640, height: 480 }));
  const query = generateSegQuery(rendered.objects, rendered.fullyVisible, createRng(seed + 1000), { sentenceRate: 0.5, noTargetRate: 0 });
  const target = rendered.instanceMasks[query.targetIndex ?? -1];
  if (target === undefined) throw new Error(`scene ${seed} has no target`);
  return { image: rendered.image, query: query.query, target };
}

let root = '';
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-cli-'));
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: segmenter.url },
    },
    cache: { enabled: false },
    evolve: { populationSize: 3 },
  };
  await writeFile(join(root, 'mmevolve.config.json'), JSON.stringify(config));
});

afterAll(async () => {
  await mllm.close();
  await segmenter.close();
  await rm(root, { recursive: true, force: true });
});

async function run(options: Partial<SegmentCommandOptions> & { image: string; query: string; out: string }): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  await runSegmentCommand(
    { method: 'evol', preset: 'improved', config: join(root, 'mmevolve.config.json'), ...options },
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), interactive: false },
  );
  return { stdout, stderr };
}

describe('mmevolve segment', () => {
  it('writes mask.png, overlay.png, mask.rle.json and trace.json, shows progress and explains the run as a tree', async () => {
    const scene = simScene(1);
    const imagePath = join(root, 'scene.png');
    await writeImage(imagePath, scene.image);
    const out = join(root, 'out-evol');
    const { stdout, stderr } = await run({ image: imagePath, query: scene.query, out, explain: true });
    const rle = cocoRleSchema.parse(JSON.parse(await readFile(join(out, 'mask.rle.json'), 'utf8')));
    expect(maskIou(decodeRle(rle), scene.target), 'RLE is the target (SIMULATED oracle servers)').toBe(1);
    expect(maskIou(await decodeMaskPng(await readFile(join(out, 'mask.png'))), scene.target)).toBe(1);
    expect((await readFile(join(out, 'overlay.png'))).subarray(1, 4).toString()).toBe('PNG');
    const trace = JSON.parse(await readFile(join(out, 'trace.json'), 'utf8')) as { trace: { generations: unknown[]; planning: { population: string[] } }; models: { mllm: string }; counters: { segmenterImageEncodes: number; generations: number } };
    expect(trace.trace.generations.length).toBeGreaterThan(0);
    expect(trace.trace.planning.population.length, 'evolve.populationSize from the config file').toBeLessThanOrEqual(3);
    expect(trace.models.mllm).toContain('sim-');
    expect(trace.counters.segmenterImageEncodes, 'one SAM 3 encode per generation batch, plus the box').toBeLessThanOrEqual(trace.counters.generations + 1);
    expect(stderr).toContain('generation 1: evaluating');
    expect(stdout).toContain('evol-improved');
    expect(stdout).toMatch(/├─ generation 1\n/);
    expect(stdout).toContain('arbitration (hybrid)');
  });

  it('sends the MLLM a quarter of the pixels with --resolution quarter and reports the visual tokens saved', async () => {
    const scene = simScene(1);
    const imagePath = join(root, 'scene-quarter.png');
    await writeImage(imagePath, scene.image);
    const out = join(root, 'out-quarter');
    await run({ image: imagePath, query: scene.query, out, resolution: 'quarter' });
    const trace = JSON.parse(await readFile(join(out, 'trace.json'), 'utf8')) as {
      trace: { resolution?: { mode: string; calls: { resolution: string }[] } };
      counters: { imagesFull: number; imagesQuarter: number; imageTokensSent: number; imageTokensAllFull: number };
    };
    expect(trace.trace.resolution?.mode).toBe('quarter');
    expect(trace.counters.imagesQuarter, 'images went at quarter resolution').toBeGreaterThan(0);
    expect(trace.counters.imagesFull).toBe(0);
    expect(trace.counters.imageTokensSent, 'about a quarter of the all-full visual tokens').toBeLessThan(0.35 * trace.counters.imageTokensAllFull);
  });

  it('runs a baseline with --method', async () => {
    const scene = simScene(2);
    const imagePath = join(root, 'scene2.png');
    await writeImage(imagePath, scene.image);
    const { stdout } = await run({ image: imagePath, query: scene.query, out: join(root, 'out-box'), method: 'box' });
    expect(stdout).toMatch(/^box: \d+ px/);
  });

  it('fails naming --segmenter-url when the config lacks a segmenter', async () => {
    const path = join(root, 'no-segmenter.json');
    await writeFile(path, JSON.stringify({ backends: { mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId } }, cache: { enabled: false } }));
    await expect(run({ image: join(root, 'scene.png'), query: 'q', out: join(root, 'x'), config: path })).rejects.toMatchObject({ code: 'backend-not-configured', hint: expect.stringContaining('--segmenter-url') });
  });

  it('runs --method concept-only with a segmenter alone: the query is the prompt, no MLLM is configured', async () => {
    const path = join(root, 'segmenter-only.json');
    await writeFile(path, JSON.stringify({ backends: { segmenter: { baseURL: segmenter.url } }, cache: { enabled: false } }));
    const imagePath = join(root, 'plain.png');
    const rendered = renderScene(generateScene(3, { width: 320, height: 240 }));
    await writeImage(imagePath, rendered.image);
    const object = rendered.objects[0];
    const out = join(root, 'out-concept');
    const { stdout } = await run({ image: imagePath, query: `${object?.colour ?? ''} ${object?.shape ?? ''}`, out, method: 'concept-only', config: path });
    expect(stdout, 'the summary names no MLLM').toMatch(/^concept-only: \d+ px from ".+" \(models: none \/ /);
    const trace = JSON.parse(await readFile(join(out, 'trace.json'), 'utf8')) as { models: { mllm: string | null }; trace: { phrases: { origin: string }[] } };
    expect(trace.models.mllm, 'no MLLM recorded').toBeNull();
    expect(trace.trace.phrases.map((phrase) => phrase.origin)).toEqual(['query']);
  });
});

describe('mmevolve segment --video', () => {
  it('segments each key frame of a Qwen3-VL-sampled video and writes one mask folder per key frame', async () => {
    const scene = simScene(1);
    // 10 identical SynthWorld frames at 5 fps (2 s), lossless PNG-in-Matroska made by ffmpeg.
    const raw = join(root, 'frames.rgb');
    const frames = 10;
    const bytes = new Uint8Array(scene.image.data.length * frames);
    for (let i = 0; i < frames; i += 1) bytes.set(scene.image.data, i * scene.image.data.length);
    await writeFile(raw, bytes);
    const video = join(root, 'clip.mkv');
    const ffmpeg = await locateFfmpeg();
    await promisify(execFile)(ffmpeg, ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${scene.image.width}x${scene.image.height}`, '-r', '5', '-i', raw, '-c:v', 'png', video]);
    const out = join(root, 'out-video');
    let stdout = '';
    const results = await runSegmentVideoCommand(
      { method: 'evol', preset: 'improved', config: join(root, 'mmevolve.config.json'), query: scene.query, video, keyFrames: 3, out },
      { stdout: (text) => (stdout += text), stderr: () => undefined, interactive: false },
    );
    // int(10 / 5 * 2) = 4 sampled: linspace(0, 9, 4) = 0, 3, 6, 9; 3 key frames at positions 0, 2, 3 → frames 0, 6, 9.
    expect(results.map((entry) => [entry.frameIndex, entry.seconds]), 'key frames and their times').toEqual([[0, 0], [6, 1.2], [9, 1.8]]);
    for (const [k, entry] of results.entries()) {
      const rle = cocoRleSchema.parse(JSON.parse(await readFile(join(out, `frame-0${k}`, 'mask.rle.json'), 'utf8')));
      expect(maskIou(decodeRle(rle), scene.target), `frame ${entry.frameIndex}: mask is the target (SIMULATED oracle servers)`).toBe(1);
    }
    expect(stdout).toContain('frame 6 at 1.20 s:');
    const summary = JSON.parse(await readFile(join(out, 'video.json'), 'utf8')) as { info: { totalFrames: number; fps: number }; sampling: { frameIndices: number[] }; keyFrames: unknown[] };
    expect(summary.info).toMatchObject({ totalFrames: 10, fps: 5 });
    expect(summary.sampling.frameIndices).toEqual([0, 3, 6, 9]);
    expect(summary.keyFrames).toHaveLength(3);
  });
});
