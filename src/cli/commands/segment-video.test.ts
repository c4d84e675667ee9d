/**
 * `segment --video` with the temporal question (key-frame rule `ask`) end to end: a clip made by ffmpeg from
 * SynthWorld frames (SIMULATED) in which the target is hidden, then half, then fully visible, then half and
 * hidden again; the SIMULATED oracle MLLM is asked when the target is best visible, from the frames and
 * timestamps it receives, and prompts are evolved on that frame and its neighbours.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../backends/index.js';
import type { Mask } from '../../core/index.js';
import { startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import { framesWithTarget, sceneFixture } from '../../sim/servers/test-support.js';
import type { TargetVisibility } from '../../sim/servers/test-support.js';
import { cocoRleSchema, decodeRle, maskIou } from '../../vision/index.js';
import { runSegmentVideoCommand } from './segment-video.js';
import type { SegmentVideoOptions } from './segment-video.js';

const FPS = 5;
const FRAMES = 20;

let root = '';
let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

interface Clip {
  path: string;
  query: string;
  target: Mask;
}

/** 20 frames at 5 fps: target hidden in frames 0–7 and 17–19, half visible in 8–10 and 14–16, whole in 11–13. */
async function makeClip(seed: number, name: string, query?: string): Promise<Clip> {
  const fixture = sceneFixture(seed, { sentenceRate: 0, width: 320, height: 240 });
  const target = fixture.rendered.instanceMasks[fixture.query.targetIndex ?? -1];
  if (target === undefined) throw new Error(`scene ${seed} has no target`);
  const pattern = Array.from({ length: FRAMES }, (_, i): TargetVisibility => (i >= 11 && i <= 13 ? 'full' : (i >= 8 && i <= 10) || (i >= 14 && i <= 16) ? 'half' : 'hidden'));
  const frames = framesWithTarget(fixture, target, pattern);
  const bytes = new Uint8Array(frames.reduce((sum, frame) => sum + frame.data.length, 0));
  frames.forEach((frame, i) => bytes.set(frame.data, i * frame.data.length));
  const raw = join(root, `${name}.rgb`);
  await writeFile(raw, bytes);
  const path = join(root, `${name}.mkv`);
  const ffmpeg = await locateFfmpeg();
  // PNG in Matroska: lossless, so the frames decode to exactly the pixels drawn.
  await promisify(execFile)(ffmpeg, ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${fixture.scene.width}x${fixture.scene.height}`, '-r', String(FPS), '-i', raw, '-c:v', 'png', path]);
  return { path, query: query ?? fixture.query.query, target };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-video-'));
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const config = {
    backends: {
      mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen3-vl', image: { format: 'png', resizeToProfile: false } },
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

async function segmentVideo(options: Partial<SegmentVideoOptions> & { video: string; query: string; out: string }): Promise<{ stdout: string; results: Awaited<ReturnType<typeof runSegmentVideoCommand>> }> {
  let stdout = '';
  const results = await runSegmentVideoCommand(
    { method: 'evol', preset: 'improved', config: join(root, 'mmevolve.config.json'), ...options },
    { stdout: (text) => (stdout += text), stderr: () => undefined, interactive: false },
  );
  return { stdout, results };
}

interface VideoSummary {
  keyFrameRule: string;
  temporal?: { answer: string | null; seconds: number | null; frameIndex: number | null; framesSent: number; frameSize: { width: number; height: number }; profile: string; call: { stage: string } };
  keyFrames: { frameIndex: number; seconds: number }[];
}

describe('mmevolve segment --video, key frames from the temporal question (SIMULATED MLLM and SAM 3)', () => {
  it('asks when the target is best visible, reads the answer back to seconds and segments that frame and its neighbours', async () => {
    const clip = await makeClip(3, 'moving');
    const out = join(root, 'out-ask');
    const { stdout, results } = await segmentVideo({ video: clip.path, query: clip.query, out });
    // int(20 / 5 * 2) = 8 sampled: linspace(0, 19, 8) → 0, 3, 5, 8, 11, 14, 16, 19; only frame 11 shows the whole target.
    const summary = JSON.parse(await readFile(join(out, 'video.json'), 'utf8')) as VideoSummary;
    expect(summary.keyFrameRule, 'ask is the default with an MLLM').toBe('ask');
    expect(summary.temporal?.frameIndex, `the oracle names the frame where the target shows whole (answer ${summary.temporal?.answer})`).toBe(11);
    expect(summary.temporal?.seconds, 'the answer read back to seconds: 11 / 5 fps').toBeCloseTo(2.2, 5);
    expect(summary.temporal?.framesSent, 'every sampled frame was sent').toBe(8);
    // 320×240 raised to Qwen3-VL's per-frame video minimum of 128·32² pixels: beta = sqrt(131072 / 76800),
    // h = ceil(240·1.3064 / 32)·32 = 320, w = ceil(320·1.3064 / 32)·32 = 448 (the image rule keeps 320×256).
    expect(summary.temporal?.frameSize, 'frames sent at the video frame size, not the image one').toEqual({ width: 448, height: 320 });
    expect(summary.temporal?.call.stage).toBe('locate-time');
    expect(results.map((entry) => [entry.frameIndex, entry.seconds]), 'the named frame and one neighbour each side').toEqual([[8, 1.6], [11, 2.2], [14, 2.8]]);
    const whole = cocoRleSchema.parse(JSON.parse(await readFile(join(out, 'frame-01', 'mask.rle.json'), 'utf8')));
    expect(maskIou(decodeRle(whole), clip.target), 'the key frame mask is the target (SIMULATED oracle servers)').toBe(1);
    expect(stdout).toMatch(/best visible at ".+" = 2\.20 s → sampled frame 11/);
  });

  it('segments nothing when the model sees the target in no frame, and says so in video.json', async () => {
    const clip = await makeClip(3, 'absent', 'the purple star');
    const out = join(root, 'out-none');
    const { stdout, results } = await segmentVideo({ video: clip.path, query: clip.query, out });
    expect(results, 'no key frame').toEqual([]);
    const summary = JSON.parse(await readFile(join(out, 'video.json'), 'utf8')) as VideoSummary;
    expect(summary.temporal?.answer, '"in no frame" is a valid answer').toBeNull();
    expect(summary.keyFrames).toEqual([]);
    expect(stdout).toContain('sees the target in no frame');
  });

  it('spreads --key-frames evenly with --key-frame-rule even, without asking', async () => {
    const clip = await makeClip(3, 'even');
    const out = join(root, 'out-even');
    const { results } = await segmentVideo({ video: clip.path, query: clip.query, out, keyFrameRule: 'even', keyFrames: 2 });
    expect(results.map((entry) => entry.frameIndex)).toEqual([0, 19]);
    const summary = JSON.parse(await readFile(join(out, 'video.json'), 'utf8')) as VideoSummary;
    expect(summary.temporal, 'no temporal question was asked').toBeUndefined();
  });
});
