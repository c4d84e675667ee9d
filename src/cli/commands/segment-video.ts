/**
 * `mmevolve segment --video clip.mp4 --query "..." --out DIR`: samples the video as Qwen3-VL's processor does
 * (2 fps, 4–768 frames; protocols/qwen3-vl-video.ts) and picks key frames by one of two rules:
 * - ask (default when the method has an MLLM): every sampled frame goes to the MLLM once, resized to the
 *   profile's video frame size and each right after its `<t seconds>` timestamp, with the question at which
 *   time the target is best visible (locate_time); its answer is read back to seconds and the nearest
 *   sampled frame plus `--neighbours` on each side become the key frames. "In no frame" is a valid answer:
 *   no key frame is segmented and video.json says so.
 * - even: `--key-frames` of the sampled frames evenly spread (first and last included), no extra call.
 * The chosen method then runs on each key frame (full resolution) on its own. Writes
 * DIR/frame-NN/{mask.png, overlay.png, mask.rle.json, trace.json} and DIR/video.json, and prints one line
 * per key frame (its time in seconds and mask area).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePlannedFrames, formatCallCosts, planQwen3VlVideo, qwen3VlVideoChatRequest, videoFrameSendSize } from '../../backends/index.js';
import type { VideoSamplePlan } from '../../backends/index.js';
import type { CallRecord, MllmClient } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { locateTargetTime, runSegmentation } from '../../evolve/index.js';
import type { SegmentationEvent, SegmentationResult, TemporalLocation } from '../../evolve/index.js';
import { evenlySpreadKeyFrames, keyFrameNeighbourhood, resolveProfile } from '../../protocols/index.js';
import type { TimestampFormat } from '../../protocols/index.js';
import { maskArea } from '../../vision/index.js';
import { writeSegmentationOutputs } from './segment-outputs.js';
import type { SegmentCommandIo, SegmentCommandOptions } from './segment.js';
import { openCommandWorkspace, resolutionOverrides } from './workspace-options.js';

export const DEFAULT_KEY_FRAMES = 4;
export const DEFAULT_NEIGHBOURS = 1;
export const KEY_FRAME_RULES = ['ask', 'even'] as const;
export type KeyFrameRule = (typeof KEY_FRAME_RULES)[number];
/** Environment variable naming an ffmpeg binary to use instead of the bundled one. */
export const FFMPEG_ENV = 'MMEVOLVE_FFMPEG';

export interface VideoFrameResult {
  /** Index of the frame in the video. */
  frameIndex: number;
  seconds: number;
  directory: string;
  result: SegmentationResult;
}

export interface SegmentVideoOptions extends Omit<SegmentCommandOptions, 'image'> {
  video: string;
  /** `even` only: how many key frames. */
  keyFrames?: number | undefined;
  /** Default: `even` when keyFrames is given or the method uses no MLLM, else `ask`. */
  keyFrameRule?: KeyFrameRule | undefined;
  /** `ask` only: sampled frames taken on each side of the located one (default 1). */
  neighbours?: number | undefined;
  /** `ask` only: the timestamp form sent before each frame (default `seconds`, the processor's). */
  timestamps?: TimestampFormat | undefined;
}

interface KeyFrameChoice {
  positions: number[];
  temporal: (TemporalLocation & { frameSize: { width: number; height: number }; framesSent: number; timestamps: TimestampFormat; profile: string }) | undefined;
}

/** Asks the MLLM, shown every sampled frame after its timestamp, when the target is best visible. */
async function askForKeyFrames(plan: VideoSamplePlan, mllm: MllmClient, options: SegmentVideoOptions, io: SegmentCommandIo): Promise<KeyFrameChoice> {
  const profile = resolveProfile(mllm.profileName);
  const frameSize = videoFrameSendSize(plan, profile);
  const timestamps = options.timestamps ?? 'seconds';
  const frames = await decodePlannedFrames(plan, undefined, io.signal, frameSize);
  io.stderr(`asking ${mllm.model} when the target is best visible: ${frames.length} frames at ${frameSize.width}×${frameSize.height} (${profile.name} video frame limits), each after its timestamp\n`);
  const request = qwen3VlVideoChatRequest(plan, frames, [], { timestamps });
  const located = await locateTargetTime(mllm, request, plan.frameSeconds, options.query, io.signal);
  const temporal = { ...located, frameSize, framesSent: frames.length, timestamps, profile: profile.name };
  if (located.position === null) {
    io.stdout(`${mllm.model} sees the target in no frame (answer: none); nothing to segment\n`);
    return { positions: [], temporal };
  }
  const frameIndex = plan.frameIndices[located.position] as number;
  io.stdout(`best visible at ${JSON.stringify(located.answer)} = ${located.seconds?.toFixed(2)} s → sampled frame ${frameIndex} (${(plan.frameSeconds[located.position] as number).toFixed(2)} s)\n`);
  return { positions: keyFrameNeighbourhood(plan.frameIndices.length, located.position, options.neighbours ?? DEFAULT_NEIGHBOURS), temporal };
}

export async function runSegmentVideoCommand(options: SegmentVideoOptions, io: SegmentCommandIo, onEvent?: (event: SegmentationEvent) => void): Promise<VideoFrameResult[]> {
  const plan = await planQwen3VlVideo(options.video, { ffmpeg: process.env[FFMPEG_ENV], signal: io.signal });
  io.stderr(`video ${options.video}: ${plan.info.totalFrames} frames at ${plan.info.fps} fps, ${plan.frameIndices.length} sampled (Qwen3-VL 2 fps rule)\n`);
  const workspace = await openCommandWorkspace(options);
  const results: VideoFrameResult[] = [];
  try {
    const { preset, config: evolveConfig } = workspace.evolve(options.preset, resolutionOverrides(options));
    const { mllm, judge, segmenter } = workspace.segmentation(options.method);
    const models = { mllm: mllm?.model ?? null, judge: (judge ?? mllm)?.model ?? null, segmenter: segmenter.model };
    // --key-frames alone asks for the even spread (as before the temporal question existed).
    const rule: KeyFrameRule = options.keyFrameRule ?? (mllm === undefined || options.keyFrames !== undefined ? 'even' : 'ask');
    if (rule === 'ask' && mllm === undefined) {
      throw mmevolveError('backend-not-configured', `--key-frame-rule ask needs an MLLM, and method ${options.method} uses none here`, 'Configure backends.mllm, or pass --key-frame-rule even.');
    }
    const choice: KeyFrameChoice =
      rule === 'ask' && mllm !== undefined
        ? await askForKeyFrames(plan, mllm, options, io)
        : { positions: evenlySpreadKeyFrames(plan.frameIndices.length, options.keyFrames ?? DEFAULT_KEY_FRAMES), temporal: undefined };
    const frames = await decodePlannedFrames(plan, choice.positions, io.signal);
    for (const [k, position] of choice.positions.entries()) {
      const image = frames[k];
      if (image === undefined) throw new Error(`key frame ${k} was not decoded`);
      const frameIndex = plan.frameIndices[position] as number;
      const seconds = plan.frameSeconds[position] as number;
      const result = await runSegmentation(options.method, image, options.query, {
        backends: { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(judge === undefined ? {} : { judge }) },
        config: evolveConfig,
        ...(options.sentence === undefined ? {} : { isSentence: options.sentence }),
        ...(options.datasetKind === undefined ? {} : { datasetKind: options.datasetKind }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
        ...(onEvent === undefined ? {} : { onEvent }),
      });
      const directory = join(options.out, `frame-${String(k).padStart(2, '0')}`);
      await writeSegmentationOutputs(directory, image, result, { query: options.query, video: options.video, frameIndex, seconds, preset, evolve: evolveConfig, models });
      results.push({ frameIndex, seconds, directory, result });
      io.stdout(`frame ${frameIndex} at ${seconds.toFixed(2)} s: ${result.trace.variant} ${maskArea(result.mask)} px${result.phrase === undefined ? '' : ` from ${JSON.stringify(result.phrase)}`} → ${directory}\n`);
      for (const warning of result.warnings) io.stderr(`warning [${warning.code}] at ${seconds.toFixed(2)} s: ${warning.message}\n`);
    }
    for (const warning of choice.temporal?.warnings ?? []) io.stderr(`warning [${warning.code}]: ${warning.message}\n`);
    const temporal = choice.temporal;
    const summary = {
      video: options.video,
      query: options.query,
      info: plan.info,
      sampling: { rule: 'Qwen3-VL video processor: 2 fps, 4–768 frames', frameIndices: plan.frameIndices },
      models,
      keyFrameRule: rule,
      ...(temporal === undefined
        ? {}
        : {
            temporal: {
              answer: temporal.answer,
              seconds: temporal.seconds,
              frameIndex: temporal.position === null ? null : plan.frameIndices[temporal.position],
              framesSent: temporal.framesSent,
              frameSize: temporal.frameSize,
              profile: temporal.profile,
              timestamps: temporal.timestamps,
              warnings: temporal.warnings,
              call: temporal.call,
            },
          }),
      keyFrames: results.map((entry) => ({ frameIndex: entry.frameIndex, seconds: entry.seconds, area: maskArea(entry.result.mask), box: entry.result.box, directory: entry.directory })),
    };
    await mkdir(options.out, { recursive: true });
    await writeFile(join(options.out, 'video.json'), `${JSON.stringify(summary, null, 1)}\n`);
    const calls: CallRecord[] = [...(temporal === undefined ? [] : [temporal.call]), ...results.flatMap((entry) => entry.result.calls)];
    io.stdout(`${formatCallCosts(calls)}\nwrote ${results.length} key frames and ${join(options.out, 'video.json')} (models: ${models.mllm ?? 'none'} / ${models.segmenter})\n`);
    return results;
  } finally {
    await workspace.close();
  }
}
