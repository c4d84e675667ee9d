/**
 * Video decoding through a real ffmpeg binary: the one the npm package @ffmpeg-installer/ffmpeg ships
 * (a static linux-x64 build inside node_modules), else Debian's /usr/bin/ffmpeg. ffprobe is not shipped,
 * so the stream facts come from ffmpeg itself: frame rate and size from its "Stream … Video:" line, the
 * frame count from a stream-copy pass (`-c copy -f null -`, which counts packets without decoding).
 * Which frames to take is the caller's rule (protocols/qwen3-vl-video.ts).
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';

export const DEBIAN_FFMPEG_PATH = '/usr/bin/ffmpeg';

export interface VideoInfo {
  /** Frames in the first video stream. */
  totalFrames: number;
  /** Frames per second as ffmpeg reports the stream ("25 fps"), else its tbr. */
  fps: number;
  width: number;
  height: number;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function npmFfmpegPath(): string | undefined {
  try {
    const required = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof required.path === 'string' ? required.path : undefined;
  } catch {
    // The package throws when no build exists for this platform; Debian's binary may still be there.
    return undefined;
  }
}

/**
 * The ffmpeg to run: `explicit` (e.g. from MMEVOLVE_FFMPEG) when given, else the npm build, else Debian's.
 * `candidates` is for tests that simulate a machine without ffmpeg.
 */
export async function locateFfmpeg(explicit?: string, candidates?: readonly (string | undefined)[]): Promise<string> {
  if (explicit !== undefined && explicit !== '') {
    if (await isExecutable(explicit)) return explicit;
    throw mmevolveError('ffmpeg-missing', `ffmpeg not found or not executable at ${explicit}`, 'point MMEVOLVE_FFMPEG at an ffmpeg binary, or unset it to use the bundled one');
  }
  const paths = candidates ?? [npmFfmpegPath(), DEBIAN_FFMPEG_PATH];
  for (const path of paths) {
    if (path !== undefined && (await isExecutable(path))) return path;
  }
  throw mmevolveError(
    'ffmpeg-missing',
    'no ffmpeg found to decode the video',
    'run `npm install` (the @ffmpeg-installer/ffmpeg dependency ships a linux-x64 binary), install Debian\'s ffmpeg, or set MMEVOLVE_FFMPEG to a binary',
  );
}

function run(ffmpeg: string, args: readonly string[], encoding: 'buffer' | 'utf8', signal?: AbortSignal): Promise<{ stdout: Buffer | string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { encoding: encoding === 'buffer' ? 'buffer' : 'utf8', maxBuffer: 1024 * 1024 * 1024, ...(signal === undefined ? {} : { signal }) }, (error, stdout, stderr) => {
      const errText = typeof stderr === 'string' ? stderr : stderr.toString('utf8');
      if (error !== null) {
        reject(mmevolveError('unreadable-video', `ffmpeg failed: ${errText.trim().split('\n').slice(-3).join(' | ') || error.message}`, 'check that the file is a complete video ffmpeg can read', error));
        return;
      }
      resolve({ stdout, stderr: errText });
    });
  });
}

/** Parses ffmpeg's stderr from a stream-copy pass over the first video stream. */
export function parseFfmpegVideoInfo(stderr: string, source: string): VideoInfo {
  const stream = /Stream #\d+:\d+.*?: Video: .*/.exec(stderr)?.[0];
  if (stream === undefined) throw mmevolveError('unreadable-video', `${source} has no video stream`, 'pass a video file (e.g. MP4, WebM, MKV) with a video track');
  const size = /, (\d{2,5})x(\d{2,5})/.exec(stream);
  const rate = /, (\d+(?:\.\d+)?)(k?) fps/.exec(stream) ?? /, (\d+(?:\.\d+)?)(k?) tbr/.exec(stream);
  const frameCounts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  const lastCount = frameCounts[frameCounts.length - 1]?.[1];
  if (size === null || rate === null || lastCount === undefined) {
    throw mmevolveError('unreadable-video', `could not read size, frame rate or frame count of ${source} from ffmpeg`, 'check that the file is a complete video; re-encode it with ffmpeg if it is unusual');
  }
  const fps = Number(rate[1]) * (rate[2] === 'k' ? 1000 : 1);
  return { width: Number(size[1]), height: Number(size[2]), fps, totalFrames: Number(lastCount) };
}

export async function probeVideo(ffmpeg: string, path: string, signal?: AbortSignal): Promise<VideoInfo> {
  const { stderr } = await run(ffmpeg, ['-hide_banner', '-nostdin', '-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'], 'utf8', signal);
  return parseFfmpegVideoInfo(stderr, path);
}

/**
 * Decodes the given frame indices (0-based, ascending) of the first video stream as RGB images, at the
 * stream's size or resized (bicubic, as the Qwen processors resize) to `size`.
 */
export async function decodeVideoFrames(ffmpeg: string, path: string, info: VideoInfo, frameIndices: readonly number[], signal?: AbortSignal, size?: { width: number; height: number }): Promise<RgbImage[]> {
  if (frameIndices.length === 0) return [];
  const unique = [...new Set(frameIndices)].sort((a, b) => a - b);
  const width = size?.width ?? info.width;
  const height = size?.height ?? info.height;
  // select= keeps exactly the listed decoded frames; passthrough timing keeps ffmpeg from duplicating or dropping any.
  const select = `select='${unique.map((index) => `eq(n\\,${index})`).join('+')}'`;
  const filter = width === info.width && height === info.height ? select : `${select},scale=${width}:${height}:flags=bicubic`;
  const { stdout } = await run(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-vf', filter, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], 'buffer', signal);
  const bytes = stdout as Buffer;
  const frameBytes = width * height * 3;
  if (bytes.length !== frameBytes * unique.length) {
    throw mmevolveError('unreadable-video', `ffmpeg returned ${bytes.length} bytes for ${unique.length} frames of ${width}x${height} in ${path}`, 'the video may be truncated or change size mid-stream; re-encode it with ffmpeg');
  }
  const byIndex = new Map<number, RgbImage>();
  unique.forEach((index, k) => {
    byIndex.set(index, { width, height, data: new Uint8Array(bytes.buffer, bytes.byteOffset + k * frameBytes, frameBytes) });
  });
  return frameIndices.map((index) => byIndex.get(index) as RgbImage);
}
