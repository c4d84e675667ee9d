/**
 * `mmevolve segment --video clip.mp4 --query "..." --key-frames 4 --out DIR`: samples the video as Qwen3-VL's
 * processor does (2 fps, 4–768 frames; protocols/qwen3-vl-video.ts), takes `--key-frames` of the sampled
 * frames evenly spread (first and last included), and runs the chosen segmentation method on each key
 * frame on its own. Writes DIR/frame-NN/{mask.png, overlay.png, mask.rle.json, trace.json} and
 * DIR/video.json, and prints one line per key frame (its time in seconds and mask area).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePlannedFrames, formatCallCosts, planQwen3VlVideo } from '../../backends/index.js';
import { runSegmentation } from '../../evolve/index.js';
import type { SegmentationEvent, SegmentationResult } from '../../evolve/index.js';
import { evenlySpreadKeyFrames } from '../../protocols/index.js';
import { maskArea } from '../../vision/index.js';
import { writeSegmentationOutputs } from './segment-outputs.js';
import type { SegmentCommandIo, SegmentCommandOptions } from './segment.js';
import { openCommandWorkspace, resolutionOverrides } from './workspace-options.js';

export const DEFAULT_KEY_FRAMES = 4;
/** Environment variable naming an ffmpeg binary to use instead of the bundled one. */
export const FFMPEG_ENV = 'MMEVOLVE_FFMPEG';

export interface VideoFrameResult {
  /** Index of the frame in the video. */
  frameIndex: number;
  seconds: number;
  directory: string;
  result: SegmentationResult;
}

export async function runSegmentVideoCommand(
  options: Omit<SegmentCommandOptions, 'image'> & { video: string; keyFrames?: number | undefined },
  io: SegmentCommandIo,
  onEvent?: (event: SegmentationEvent) => void,
): Promise<VideoFrameResult[]> {
  const plan = await planQwen3VlVideo(options.video, { ffmpeg: process.env[FFMPEG_ENV], signal: io.signal });
  const positions = evenlySpreadKeyFrames(plan.frameIndices.length, options.keyFrames ?? DEFAULT_KEY_FRAMES);
  const frames = await decodePlannedFrames(plan, positions, io.signal);
  io.stderr(`video ${options.video}: ${plan.info.totalFrames} frames at ${plan.info.fps} fps, ${plan.frameIndices.length} sampled (Qwen3-VL 2 fps rule), ${positions.length} key frames\n`);
  const workspace = await openCommandWorkspace(options);
  const results: VideoFrameResult[] = [];
  try {
    const { preset, config: evolveConfig } = workspace.evolve(options.preset, resolutionOverrides(options));
    const { mllm, judge, segmenter } = workspace.segmentation(options.method);
    const models = { mllm: mllm?.model ?? null, judge: (judge ?? mllm)?.model ?? null, segmenter: segmenter.model };
    for (const [k, position] of positions.entries()) {
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
    const summary = {
      video: options.video,
      query: options.query,
      info: plan.info,
      sampling: { rule: 'Qwen3-VL video processor: 2 fps, 4–768 frames', frameIndices: plan.frameIndices },
      models,
      keyFrames: results.map((entry) => ({ frameIndex: entry.frameIndex, seconds: entry.seconds, area: maskArea(entry.result.mask), box: entry.result.box, directory: entry.directory })),
    };
    await mkdir(options.out, { recursive: true });
    await writeFile(join(options.out, 'video.json'), `${JSON.stringify(summary, null, 1)}\n`);
    io.stdout(`${formatCallCosts(results.flatMap((entry) => entry.result.calls))}\nwrote ${results.length} key frames and ${join(options.out, 'video.json')} (models: ${models.mllm ?? 'none'} / ${models.segmenter})\n`);
    return results;
  } finally {
    await workspace.close();
  }
}
