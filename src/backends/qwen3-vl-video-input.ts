/**
 * A video as Qwen3-VL takes it: frames sampled by its processor's rule (2 fps, 4–768 frames), decoded by
 * ffmpeg, and a chat request that sends each temporal group's `<t seconds>` text before its frames.
 * The rules are in protocols/profiles/qwen3-vl-video.ts; this file only runs ffmpeg and assembles.
 */
import type { ChatMessage, ChatRequest, RgbImage } from '../core/index.js';
import { QWEN3_VL_TEMPORAL_PATCH_SIZE, qwen3VlGroupTimestamps, qwen3VlSampleFrameIndices, qwen3VlTimestampText } from '../protocols/index.js';
import type { VideoSamplingOptions } from '../protocols/index.js';
import { decodeVideoFrames, locateFfmpeg, probeVideo } from './video-frames.js';
import type { VideoInfo } from './video-frames.js';

export interface VideoSamplePlan {
  path: string;
  ffmpeg: string;
  info: VideoInfo;
  /** Indices into the video's frames, as Qwen3VLVideoProcessor.sample_frames picks them. */
  frameIndices: number[];
  /** Seconds of each sampled frame (index / fps). */
  frameSeconds: number[];
  /** One per temporal group of two sampled frames (the `<t seconds>` value). */
  groupSeconds: number[];
}

export interface PlanVideoOptions {
  /** An ffmpeg binary to use instead of the bundled npm build / Debian's. */
  ffmpeg?: string | undefined;
  sampling?: VideoSamplingOptions;
  signal?: AbortSignal | undefined;
}

export async function planQwen3VlVideo(path: string, options: PlanVideoOptions = {}): Promise<VideoSamplePlan> {
  const ffmpeg = await locateFfmpeg(options.ffmpeg);
  const info = await probeVideo(ffmpeg, path, options.signal);
  const frameIndices = qwen3VlSampleFrameIndices(info.totalFrames, info.fps, options.sampling);
  return {
    path,
    ffmpeg,
    info,
    frameIndices,
    frameSeconds: frameIndices.map((index) => index / info.fps),
    groupSeconds: qwen3VlGroupTimestamps(frameIndices, info.fps),
  };
}

/** Decodes the sampled frames at the given positions of `plan.frameIndices` (all when omitted). */
export function decodePlannedFrames(plan: VideoSamplePlan, positions?: readonly number[], signal?: AbortSignal): Promise<RgbImage[]> {
  const indices = (positions ?? plan.frameIndices.map((_, position) => position)).map((position) => plan.frameIndices[position] as number);
  return decodeVideoFrames(plan.ffmpeg, plan.path, plan.info, indices, signal);
}

/**
 * One user message with every sampled frame as an image, each group of two preceded by its timestamp
 * text (Qwen3VLProcessor's prompt layout, sent as OpenAI image parts), then the question.
 */
export function qwen3VlVideoChatRequest(plan: VideoSamplePlan, frames: readonly RgbImage[], messages: readonly ChatMessage[]): ChatRequest {
  const labels = frames.map((_, position) => (position % QWEN3_VL_TEMPORAL_PATCH_SIZE === 0 ? qwen3VlTimestampText(plan.groupSeconds[position / QWEN3_VL_TEMPORAL_PATCH_SIZE] as number) : undefined));
  return { messages, images: frames, imageLabels: labels };
}
