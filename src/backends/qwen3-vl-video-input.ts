/**
 * A video as Qwen3-VL takes it: frames sampled by its processor's rule (2 fps, 4–768 frames), decoded by
 * ffmpeg at the per-frame size of the video pixel limits (protocols/profiles/video-frame-size.ts), and a
 * chat request that sends each frame as an image right after its timestamp text — the "interleaved
 * timestamp-image pairs" of Qwen3-VL's cookbook (QwenLM/Qwen3-VL cookbooks/video_understanding.ipynb,
 * section 5), which vLLM's chat_utils accepts as plain text and image_url parts. The rules are in
 * protocols/profiles/qwen3-vl-video.ts; this file only runs ffmpeg and assembles.
 */
import type { ChatMessage, ChatRequest, RgbImage } from '../core/index.js';
import { QWEN3_VL_TEMPORAL_PATCH_SIZE, qwen3VlGroupTimestamps, qwen3VlSampleFrameIndices, qwen3VlTimestampText } from '../protocols/index.js';
import type { ModelProfile, TimestampFormat, VideoSamplingOptions } from '../protocols/index.js';
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

/**
 * The size the sampled frames are sent at: the profile's video frame rule for this many frames, or the
 * stream's own size for a family without one (it then receives the frames as it receives images).
 */
export function videoFrameSendSize(plan: VideoSamplePlan, profile: ModelProfile): { width: number; height: number } {
  const video = profile.videoInfo({ width: plan.info.width, height: plan.info.height }, plan.frameIndices.length);
  return video === null ? { width: plan.info.width, height: plan.info.height } : { width: video.frameWidth, height: video.frameHeight };
}

/** Decodes the sampled frames at the given positions of `plan.frameIndices` (all when omitted), optionally resized. */
export function decodePlannedFrames(plan: VideoSamplePlan, positions?: readonly number[], signal?: AbortSignal, size?: { width: number; height: number }): Promise<RgbImage[]> {
  const indices = (positions ?? plan.frameIndices.map((_, position) => position)).map((position) => plan.frameIndices[position] as number);
  return decodeVideoFrames(plan.ffmpeg, plan.path, plan.info, indices, signal, size);
}

export interface VideoChatOptions {
  /** Positions in plan.frameIndices the frames are (default: all sampled frames, in order). */
  positions?: readonly number[];
  /** `<3.5 seconds>` (the processor's form, default) or `<00:00:03.5>`. */
  timestamps?: TimestampFormat;
  /**
   * - frame (default): every frame right after its own time — each image is its own temporal patch on
   *   the server, so each gets its timestamp, as in the cookbook's interleaved pairs;
   * - group: the processor's video layout, one timestamp (the mean of the pair) before each two frames.
   */
  layout?: 'frame' | 'group';
}

/**
 * One user message with the frames as images, each preceded by its timestamp text, then the messages' text
 * (the question). Images attach to the last user message (core ChatRequest), so the timestamps and frames
 * come before the question, as in the cookbook.
 */
export function qwen3VlVideoChatRequest(plan: VideoSamplePlan, frames: readonly RgbImage[], messages: readonly ChatMessage[], options: VideoChatOptions = {}): ChatRequest {
  const positions = options.positions ?? frames.map((_, position) => position);
  const format = options.timestamps ?? 'seconds';
  const labels =
    options.layout === 'group'
      ? positions.map((position) => (position % QWEN3_VL_TEMPORAL_PATCH_SIZE === 0 ? qwen3VlTimestampText(plan.groupSeconds[position / QWEN3_VL_TEMPORAL_PATCH_SIZE] as number, format) : undefined))
      : positions.map((position) => qwen3VlTimestampText(plan.frameSeconds[position] as number, format));
  return { messages, images: frames, imageLabels: labels };
}
