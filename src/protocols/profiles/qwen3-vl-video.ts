/**
 * Qwen3-VL video conventions, written from huggingface/transformers
 *   src/transformers/models/qwen3_vl/video_processing_qwen3_vl.py (commit 930941c62f02ae20fbdf35f9496bde938b2dfcac):
 *     fps 2, min_frames 4, max_frames 768, temporal_patch_size 2; sample_frames():
 *     n = int(total / video_fps * fps), clamped to [min_frames, max_frames] and then to total;
 *     indices = np.linspace(0, total - 1, n).round()  (numpy rounds halves to even)
 *   src/transformers/models/qwen3_vl/processing_qwen3_vl.py (commit e1b551679e267be053b45581cbabd028a14defd2):
 *     _calculate_timestamps(): indices padded with the last one to a multiple of merge_size (2), each
 *     index / video_fps, then the mean of the first and last frame of each pair; every frame group is
 *     preceded by f"<{t:.1f} seconds>".
 * Pure rules only: decoding lives in backends (video-frames.ts).
 */
import { z } from 'zod';
import { mmevolveError } from '../../core/index.js';

export const QWEN3_VL_VIDEO_FPS = 2;
export const QWEN3_VL_VIDEO_MIN_FRAMES = 4;
export const QWEN3_VL_VIDEO_MAX_FRAMES = 768;
/** Frames merged into one temporal patch; one timestamp per group. */
export const QWEN3_VL_TEMPORAL_PATCH_SIZE = 2;

export interface VideoSamplingOptions {
  fps?: number;
  minFrames?: number;
  maxFrames?: number;
}

/** numpy's round(): halves go to the even neighbour (np.round is round-half-even). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction === 0.5) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(value);
}

/** Frame indices Qwen3VLVideoProcessor.sample_frames picks from a video of `totalFrames` at `videoFps`. */
export function qwen3VlSampleFrameIndices(totalFrames: number, videoFps: number, options: VideoSamplingOptions = {}): number[] {
  if (!Number.isInteger(totalFrames) || totalFrames < 1) {
    throw mmevolveError('invalid-input', `a video needs at least one frame, got ${totalFrames}`, 'check that the file is a readable video with a video stream');
  }
  if (!(videoFps > 0) || !Number.isFinite(videoFps)) {
    throw mmevolveError('invalid-input', `video frame rate must be positive, got ${videoFps}`, 'check the video stream; its frame rate could not be read');
  }
  const fps = options.fps ?? QWEN3_VL_VIDEO_FPS;
  const minFrames = options.minFrames ?? QWEN3_VL_VIDEO_MIN_FRAMES;
  const maxFrames = options.maxFrames ?? QWEN3_VL_VIDEO_MAX_FRAMES;
  // Same operation order as upstream: int(total_num_frames / metadata.fps * fps).
  const wanted = Math.trunc((totalFrames / videoFps) * fps);
  const count = Math.min(Math.min(Math.max(wanted, minFrames), maxFrames), totalFrames);
  if (count === 1) return [0];
  // np.linspace: i * step + start, with the last element set to stop exactly.
  const step = (totalFrames - 1) / (count - 1);
  const indices: number[] = [];
  for (let i = 0; i < count; i += 1) indices.push(i === count - 1 ? totalFrames - 1 : roundHalfEven(i * step));
  return indices;
}

/** Seconds of each temporal group (Qwen3VLProcessor._calculate_timestamps). */
export function qwen3VlGroupTimestamps(frameIndices: readonly number[], videoFps: number, mergeSize = QWEN3_VL_TEMPORAL_PATCH_SIZE): number[] {
  if (frameIndices.length === 0) return [];
  const padded = [...frameIndices];
  const last = padded[padded.length - 1] as number;
  while (padded.length % mergeSize !== 0) padded.push(last);
  const seconds = padded.map((index) => index / videoFps);
  const groups: number[] = [];
  for (let i = 0; i < seconds.length; i += mergeSize) groups.push(((seconds[i] as number) + (seconds[i + mergeSize - 1] as number)) / 2);
  return groups;
}

/**
 * Python's f"{t:.1f}": correctly rounded, exact binary ties to even. A tie at one decimal is only exactly
 * representable when 4·t is an odd integer (t = 0.25, 0.75, …); JS toFixed rounds those up, Python to even.
 */
export function formatOneDecimalLikePython(value: number): string {
  const quarters = value * 4;
  if (Number.isInteger(quarters) && Math.abs(quarters) % 2 === 1) {
    const tenths = Math.floor(value * 10);
    const even = tenths % 2 === 0 ? tenths : tenths + 1;
    return (even / 10).toFixed(1);
  }
  return value.toFixed(1);
}

/**
 * - seconds: `<3.5 seconds>`, exactly as Qwen3VLProcessor.replace_video_token writes f"<{t:.1f} seconds>".
 * - hms: `<00:01:05.5>`. The Qwen3-VL report says training timestamps came "in both seconds and HH:MM:SS
 *   formats"; no released code writes the second, so the digits are ours: HH:MM:SS with the same one decimal.
 */
export const TIMESTAMP_FORMATS = ['seconds', 'hms'] as const;
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

/** 65.5 → `00:01:05.5` (one decimal, rounded as the seconds form is). */
export function formatHms(seconds: number): string {
  const tenths = Number(formatOneDecimalLikePython(seconds).replace('.', ''));
  const hours = Math.floor(tenths / 36000);
  const minutes = Math.floor((tenths % 36000) / 600);
  const rest = (tenths % 600) / 10;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(hours)}:${pad(minutes)}:${rest.toFixed(1).padStart(4, '0')}`;
}

/** The text Qwen3-VL puts before a frame (group): `<3.5 seconds>`, or `<00:00:03.5>` in the hms form. */
export function qwen3VlTimestampText(seconds: number, format: TimestampFormat = 'seconds'): string {
  return format === 'hms' ? `<${formatHms(seconds)}>` : `<${formatOneDecimalLikePython(seconds)} seconds>`;
}

export interface TemporalSpan {
  startSeconds: number;
  endSeconds: number;
}

// "00:01:05", "01:05.5", "3.5 seconds", "3.5s", "3 sec" — in the order they appear.
const TIME_MENTION = /(\d+):(\d{1,2}(?:\.\d+)?)(?::(\d{1,2}(?:\.\d+)?))?|(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|s\b)|(\d+(?:\.\d+)?)(?=\s*(?:-|–|to|and)\s*\d+(?:\.\d+)?\s*(?:seconds?|secs?|s\b))/gi;

function mentionSeconds(match: RegExpMatchArray): number {
  if (match[1] !== undefined) {
    const first = Number(match[1]);
    const second = Number(match[2]);
    // H:MM:SS(.s) when three parts, else MM:SS.
    return match[3] !== undefined ? first * 3600 + second * 60 + Number(match[3]) : first * 60 + second;
  }
  return Number(match[4] ?? match[5]);
}

/** What a temporal answer reads as: seconds from the video's start, finite and not negative. */
export const temporalSpanSchema = z
  .strictObject({ startSeconds: z.number().finite().nonnegative(), endSeconds: z.number().finite().nonnegative() })
  .refine((span) => span.endSeconds >= span.startSeconds, { message: 'the span ends before it starts' });

function timeMentions(text: string): number[] {
  const mentions = [...text.matchAll(TIME_MENTION)].map(mentionSeconds);
  // A bare number ("65.5") is seconds: the unit the timestamps the model was shown are in.
  if (mentions.length === 0 && /^\s*<?\s*\d+(?:\.\d+)?\s*>?\s*$/.test(text)) return [Number(text.replace(/[<>\s]/g, ''))];
  return mentions;
}

function noTime(text: string): Error {
  return mmevolveError('invalid-model-output', `no time found in the answer ${JSON.stringify(text.slice(0, 200))}`, 'ask for times as "<t> seconds" or HH:MM:SS');
}

/**
 * Reads a temporal answer ("from 3.5 to 7 seconds", "<3.5 seconds>-<7.0 seconds>", "00:01:05") back to
 * seconds: the first mention is the start, the last the end (equal when there is one mention). The result
 * is checked with temporalSpanSchema.
 */
export function parseTemporalAnswer(text: string): TemporalSpan {
  const mentions = timeMentions(text);
  if (mentions.length === 0) throw noTime(text);
  const startSeconds = mentions[0] as number;
  const endSeconds = mentions[mentions.length - 1] as number;
  if (endSeconds < startSeconds) {
    throw mmevolveError('invalid-model-output', `the answer's span ends (${endSeconds} s) before it starts (${startSeconds} s)`, 'ask the model for the start time first, then the end time');
  }
  const checked = temporalSpanSchema.safeParse({ startSeconds, endSeconds });
  if (!checked.success) throw mmevolveError('invalid-model-output', `the answer's times are not usable: ${checked.error.message}`, 'ask for times as "<t> seconds" or HH:MM:SS');
  return checked.data;
}

/** One moment ("at 00:01:05", "65.5 seconds", "<65.5 seconds>", "65.5") in seconds: the first time named. */
export function parseTemporalPoint(text: string): number {
  const first = timeMentions(text)[0];
  if (first === undefined) throw noTime(text);
  return parseTemporalAnswer(`${first} seconds`).startSeconds;
}

/** The position in `seconds` (ascending) nearest to `time`; ties go to the earlier one. */
export function nearestTimePosition(seconds: readonly number[], time: number): number {
  if (seconds.length === 0) throw mmevolveError('invalid-input', 'no sampled frames to match a time against', 'sample the video first');
  let best = 0;
  for (let position = 1; position < seconds.length; position += 1) {
    if (Math.abs((seconds[position] as number) - time) < Math.abs((seconds[best] as number) - time)) best = position;
  }
  return best;
}

/** `position` and up to `radius` sampled frames on each side of it, in time order. */
export function keyFrameNeighbourhood(sampledCount: number, position: number, radius: number): number[] {
  const from = Math.max(0, position - radius);
  const to = Math.min(sampledCount - 1, position + radius);
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

export interface VideoFramePart {
  /** Index into the sampled frames. */
  frame: number;
}

/**
 * Content order of one Qwen3-VL video message: per temporal group its timestamp text, then that group's
 * frames. Callers map each frame to an image part of the chat message.
 */
export function qwen3VlVideoContentOrder(frameIndices: readonly number[], videoFps: number): Array<{ text: string } | VideoFramePart> {
  const timestamps = qwen3VlGroupTimestamps(frameIndices, videoFps);
  const parts: Array<{ text: string } | VideoFramePart> = [];
  timestamps.forEach((seconds, group) => {
    parts.push({ text: qwen3VlTimestampText(seconds) });
    for (let k = 0; k < QWEN3_VL_TEMPORAL_PATCH_SIZE; k += 1) {
      const frame = group * QWEN3_VL_TEMPORAL_PATCH_SIZE + k;
      if (frame < frameIndices.length) parts.push({ frame });
    }
  });
  return parts;
}

/** `count` key frames spread evenly over the sampled frames (positions into `sampled`), first and last included. */
export function evenlySpreadKeyFrames(sampledCount: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw mmevolveError('invalid-input', `--key-frames must be a positive integer, got ${count}`, 'pass e.g. --key-frames 4');
  const n = Math.min(count, sampledCount);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (sampledCount - 1)) / (n - 1)));
}
