import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmevolveError } from '../core/index.js';
import { qwen3VlProfile } from '../protocols/index.js';
import { decodePlannedFrames, planQwen3VlVideo, qwen3VlVideoChatRequest, videoFrameSendSize } from './qwen3-vl-video-input.js';
import { locateFfmpeg } from './video-frames.js';

const WIDTH = 32;
const HEIGHT = 24;
const FRAMES = 30;
const FPS = 10;

/** Frame i is a solid colour (red = 8·i) so a decoded frame tells which frame it was. */
function frameColour(index: number): [number, number, number] {
  return [index * 8, 255 - index * 8, 40];
}

let root = '';
let ffmpeg = '';
let video = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'video-frames-'));
  ffmpeg = await locateFfmpeg();
  const raw = join(root, 'frames.rgb');
  const bytes = new Uint8Array(WIDTH * HEIGHT * 3 * FRAMES);
  for (let i = 0; i < FRAMES; i += 1) {
    const [r, g, b] = frameColour(i);
    for (let p = 0; p < WIDTH * HEIGHT; p += 1) bytes.set([r, g, b], (i * WIDTH * HEIGHT + p) * 3);
  }
  await writeFile(raw, bytes);
  video = join(root, 'clip.mkv');
  // PNG in Matroska is lossless, so decoded colours are exact.
  await promisify(execFile)(ffmpeg, ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', String(FPS), '-i', raw, '-c:v', 'png', video]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Qwen3-VL video sampling through ffmpeg', () => {
  it('reads frame count, rate and size of a 3 s clip made by ffmpeg', async () => {
    const plan = await planQwen3VlVideo(video);
    expect(plan.info, 'probed stream facts').toEqual({ totalFrames: FRAMES, fps: FPS, width: WIDTH, height: HEIGHT });
    // int(30 / 10 * 2) = 6 frames; linspace(0, 29, 6) = 0, 5.8, 11.6, 17.4, 23.2, 29
    expect(plan.frameIndices).toEqual([0, 6, 12, 17, 23, 29]);
    expect(plan.frameSeconds).toEqual([0, 0.6, 1.2, 1.7, 2.3, 2.9]);
    // groups (0,6) → 0.3 s, (12,17) → 1.45 s, (23,29) → 2.6 s
    expect(plan.groupSeconds.map((s) => s.toFixed(2))).toEqual(['0.30', '1.45', '2.60']);
  });

  it('decodes exactly the sampled frames', async () => {
    const plan = await planQwen3VlVideo(video);
    const frames = await decodePlannedFrames(plan, [1, 4]);
    const firstPixels = frames.map((frame) => [...frame.data.subarray(0, 3)]);
    expect(firstPixels, 'frames 6 and 23 by their colour').toEqual([frameColour(6), frameColour(23)]);
    expect(frames[0]?.width).toBe(WIDTH);
  });

  it('puts each frame right after its own timestamp in the chat request (the cookbook\'s interleaved pairs)', async () => {
    const plan = await planQwen3VlVideo(video);
    const frames = await decodePlannedFrames(plan);
    const request = qwen3VlVideoChatRequest(plan, frames, [{ role: 'user', content: 'When does it turn red?' }]);
    expect(request.images).toHaveLength(6);
    expect(request.imageLabels).toEqual(['<0.0 seconds>', '<0.6 seconds>', '<1.2 seconds>', '<1.7 seconds>', '<2.3 seconds>', '<2.9 seconds>']);
    const keyFrames = qwen3VlVideoChatRequest(plan, frames.slice(3, 5), [{ role: 'user', content: 'q' }], { positions: [3, 4], timestamps: 'hms' });
    expect(keyFrames.imageLabels, 'key frames keep their own times, in the HH:MM:SS form').toEqual(['<00:00:01.7>', '<00:00:02.3>']);
  });

  it('puts each group timestamp before its first frame in the processor layout', async () => {
    const plan = await planQwen3VlVideo(video);
    const frames = await decodePlannedFrames(plan);
    const request = qwen3VlVideoChatRequest(plan, frames, [{ role: 'user', content: 'When does it turn red?' }], { layout: 'group' });
    // 1.45 is not exactly representable (1.4499…), so Python's .1f gives 1.4
    expect(request.imageLabels).toEqual(['<0.3 seconds>', undefined, '<1.4 seconds>', undefined, '<2.6 seconds>', undefined]);
  });

  it('decodes frames resized to the video frame size of the profile', async () => {
    const plan = await planQwen3VlVideo(video);
    const size = videoFrameSendSize(plan, qwen3VlProfile);
    // 32×24 with 6 frames: raised to the per-frame minimum of 128·32² pixels → 448 × 320 (≥ 131072).
    expect(size).toEqual({ width: 448, height: 320 });
    const [frame] = await decodePlannedFrames(plan, [2], undefined, size);
    expect([frame?.width, frame?.height, frame?.data.length]).toEqual([448, 320, 448 * 320 * 3]);
    const [r, g] = [...(frame?.data.subarray(0, 2) ?? [])];
    expect([r, g], 'frame 12 by its colour after the resize').toEqual(frameColour(12).slice(0, 2));
  });

  it('fails with a typed error and a hint when no ffmpeg exists', async () => {
    const error = await locateFfmpeg(undefined, [undefined, join(root, 'no-such-ffmpeg')]).catch((caught: unknown) => caught);
    expect(error, 'typed error').toBeInstanceOf(MmevolveError);
    expect((error as MmevolveError).code).toBe('ffmpeg-missing');
    expect((error as MmevolveError).hint).toMatch(/npm install/);
  });

  it('rejects a file that is not a video with a typed error', async () => {
    const notVideo = join(root, 'broken.mp4');
    await writeFile(notVideo, Buffer.from([0, 0, 0, 8, 1, 2, 3, 4, 5]));
    await expect(planQwen3VlVideo(notVideo)).rejects.toMatchObject({ code: 'unreadable-video' });
  });
});
