/**
 * `mmevolve segment --image X --query "..." [--method evol|single|box|agent] [--preset published|improved]
 * [--dataset-kind reasonseg|refcoco] [--config FILE | --base-url URL --model ID --segmenter-url URL] --out DIR
 * [--explain] [--no-cache]`: segment one image and write mask.png, overlay.png, mask.rle.json and
 * trace.json. Progress (stage, generation) goes to stderr; `--explain` prints the evolution as a tree. The
 * preset defaults to the config's evolve.preset, else `improved`; the config's `evolve` section overrides
 * the preset's settings. `--video FILE [--key-frames N]` instead of `--image` segments N key frames of a video
 * (segment-video.ts).
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { formatCallCosts } from '../../backends/index.js';
import { mmevolveError } from '../../core/index.js';
import { DATASET_KINDS, SEGMENTATION_METHODS, formatTraceTree, progressText, runSegmentation } from '../../evolve/index.js';
import type { DatasetKind, EvolvePresetName, SegmentationEvent, SegmentationMethod, SegmentationResult } from '../../evolve/index.js';
import { QWEN3_VL_VIDEO_MAX_FRAMES, TIMESTAMP_FORMATS } from '../../protocols/index.js';
import { maskArea, readImage } from '../../vision/index.js';
import { writeSegmentationOutputs } from './segment-outputs.js';
import { DEFAULT_KEY_FRAMES, DEFAULT_NEIGHBOURS, KEY_FRAME_RULES, runSegmentVideoCommand } from './segment-video.js';
import type { SegmentVideoOptions } from './segment-video.js';
import { addWorkspaceOptions, openCommandWorkspace, presetOption, resolutionOptions, resolutionOverrides } from './workspace-options.js';
import type { ResolutionFlags, WorkspaceCommandOptions } from './workspace-options.js';

export { writeSegmentationOutputs } from './segment-outputs.js';

export interface SegmentCommandOptions extends WorkspaceCommandOptions, ResolutionFlags {
  image: string;
  query: string;
  method: SegmentationMethod;
  /** Default: the config's evolve.preset, else DEFAULT_EVOLVE_PRESET. */
  preset?: EvolvePresetName | undefined;
  out: string;
  explain?: boolean;
  sentence?: boolean;
  datasetKind?: DatasetKind;
}

export interface SegmentCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress rewrites one line) or a log (one line per event). */
  interactive: boolean;
  signal?: AbortSignal;
}

export function progressWriter(io: SegmentCommandIo): { onEvent: (event: SegmentationEvent) => void; done: () => void } {
  let width = 0;
  return {
    onEvent: (event) => {
      const text = progressText(event);
      if (text === undefined) return;
      if (!io.interactive) {
        io.stderr(`${text}\n`);
        return;
      }
      const line = text.length > 100 ? `${text.slice(0, 99)}…` : text;
      io.stderr(`\r${line.padEnd(width)}`);
      width = line.length;
    },
    done: () => {
      if (io.interactive && width > 0) io.stderr('\n');
    },
  };
}

export async function runSegmentCommand(options: SegmentCommandOptions, io: SegmentCommandIo): Promise<SegmentationResult> {
  const workspace = await openCommandWorkspace(options);
  try {
    const { preset, config: evolveConfig } = workspace.evolve(options.preset, resolutionOverrides(options));
    const { mllm, judge, segmenter } = workspace.segmentation(options.method);
    const image = await readImage(options.image);
    const progress = progressWriter(io);
    let result: SegmentationResult;
    try {
      result = await runSegmentation(options.method, image, options.query, {
        backends: { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(judge === undefined ? {} : { judge }) },
        config: evolveConfig,
        ...(options.sentence === undefined ? {} : { isSentence: options.sentence }),
        ...(options.datasetKind === undefined ? {} : { datasetKind: options.datasetKind }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
        onEvent: progress.onEvent,
      });
    } finally {
      progress.done();
    }
    // concept-only runs without an MLLM: its model is then recorded as null ("none" in the summary line).
    const models = { mllm: mllm?.model ?? null, judge: (judge ?? mllm)?.model ?? null, segmenter: segmenter.model };
    await writeSegmentationOutputs(options.out, image, result, { query: options.query, image: options.image, preset, evolve: evolveConfig, models });
    const area = maskArea(result.mask);
    io.stdout(
      [
        `${result.trace.variant}: ${area} px${result.phrase === undefined ? '' : ` from ${JSON.stringify(result.phrase)}`} (models: ${models.mllm ?? 'none'} / ${models.segmenter})`,
        formatCallCosts(result.calls),
        `wrote ${['mask.png', 'overlay.png', 'mask.rle.json', 'trace.json'].map((name) => join(options.out, name)).join(', ')}`,
        '',
      ].join('\n'),
    );
    if (options.explain === true) io.stdout(formatTraceTree(result));
    for (const warning of result.warnings) io.stderr(`warning [${warning.code}]: ${warning.message}\n`);
    return result;
  } finally {
    await workspace.close();
  }
}

function parseNeighbours(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count > QWEN3_VL_VIDEO_MAX_FRAMES) throw new InvalidArgumentError(`--neighbours must be an integer from 0 to ${QWEN3_VL_VIDEO_MAX_FRAMES}`);
  return count;
}

function parseKeyFrames(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > QWEN3_VL_VIDEO_MAX_FRAMES) {
    throw new InvalidArgumentError(`--key-frames must be an integer from 1 to ${QWEN3_VL_VIDEO_MAX_FRAMES}`);
  }
  return count;
}

export function registerSegmentCommand(program: Command): void {
  const command = program
    .command('segment')
    .description('Segment the target of a (reasoning) query in one image: evolutionary prompting (evol) or a baseline')
    .option('--image <file>', 'image file (JPEG, PNG or WebP)')
    .option('--video <file>', 'video file (any format ffmpeg reads): segment key frames of its Qwen3-VL 2 fps sampling instead of an image')
    .addOption(new Option('--key-frame-rule <rule>', 'with --video: ask = the MLLM sees every sampled frame after its timestamp and names when the target is best visible (default with an MLLM); even = --key-frames spread evenly').choices([...KEY_FRAME_RULES]))
    .option('--neighbours <n>', `with --video and ask: sampled frames (0.5 s apart) segmented on each side of the one the MLLM names (default ${DEFAULT_NEIGHBOURS})`, parseNeighbours)
    .addOption(new Option('--timestamps <form>', "with --video and ask: timestamp text before each frame, <3.5 seconds> (Qwen3-VL's processor) or <00:00:03.5>").choices([...TIMESTAMP_FORMATS]))
    .option('--key-frames <n>', `with --video: key frames to segment, evenly spread over the sampled frames (default ${DEFAULT_KEY_FRAMES}; implies --key-frame-rule even)`, parseKeyFrames)
    .requiredOption('--query <text>', 'what to segment, e.g. "the thing you would use to keep the rain off"')
    .addOption(new Option('--method <method>', 'segmentation method').choices([...SEGMENTATION_METHODS]).default('evol'))
    .addOption(presetOption())
    .addOption(resolutionOptions()[0])
    .addOption(resolutionOptions()[1])
    .requiredOption('--out <dir>', 'output directory for mask.png, overlay.png, mask.rle.json, trace.json')
    .option('--explain', 'print the evolution (phrases, gate, fights, fitness, arbitration, cost) as a tree')
    .option('--sentence', 'treat the query as a reasoning sentence (default: guessed from its length)')
    .option('--no-sentence', 'treat the query as a short referring phrase')
    .addOption(new Option('--dataset-kind <kind>', 'reasonseg (reasoning query) or refcoco (referring expression): an inconsistent final verdict falls back to text or box').choices([...DATASET_KINDS]));
  addWorkspaceOptions(command).action(async (options: Omit<SegmentCommandOptions, 'image'> & Partial<Pick<SegmentVideoOptions, 'keyFrames' | 'keyFrameRule' | 'neighbours' | 'timestamps'>> & { image?: string; video?: string }) => {
      if ((options.image === undefined) === (options.video === undefined)) {
        command.error('error: pass exactly one of --image <file> or --video <file>');
      }
      for (const flag of ['keyFrames', 'keyFrameRule', 'neighbours', 'timestamps'] as const) {
        if (options[flag] !== undefined && options.video === undefined) command.error(`error: --${flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} needs --video`);
      }
      if (options.keyFrames !== undefined && options.keyFrameRule === 'ask') command.error('error: --key-frames spreads frames evenly (--key-frame-rule even); with ask the model names the frame');
      if ((options.neighbours !== undefined || options.timestamps !== undefined) && options.keyFrameRule === 'even') command.error('error: --neighbours and --timestamps belong to --key-frame-rule ask');
      const controller = new AbortController();
      // Every concurrent backend call listens on the one Ctrl-C signal.
      setMaxListeners(1000, controller.signal);
      const abort = (): void => controller.abort(mmevolveError('cancelled', 'segmentation cancelled (Ctrl-C)', 'Run the command again.'));
      process.once('SIGINT', abort);
      try {
        const io: SegmentCommandIo = {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          interactive: process.stderr.isTTY === true,
          signal: controller.signal,
        };
        if (options.video !== undefined) {
          const progress = progressWriter(io);
          try {
            await runSegmentVideoCommand({ ...options, video: options.video }, io, progress.onEvent);
          } finally {
            progress.done();
          }
        } else {
          await runSegmentCommand({ ...options, image: options.image as string }, io);
        }
      } finally {
        process.off('SIGINT', abort);
      }
    });
}
