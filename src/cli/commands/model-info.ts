import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import type { ImageInfo, ModelProfile, ProfileOptions } from '../../protocols/index.js';
import { formatBoxText, resolveProfile } from '../../protocols/index.js';

/**
 * `mmevolve model-info`: how a model family sees one image — the resized frame, patch grid or tiles, and
 * the image tokens it costs — computed from the profile's conventions (no model is contacted).
 */
export interface ModelInfoOptions {
  model: string;
  width: number;
  height: number;
  minPixels?: number;
  maxPixels?: number;
  minTiles?: number;
  maxTiles?: number;
  /** Describe a video of this many sampled frames instead of one image (video-frame-size.ts). */
  videoFrames?: number;
}

/** The `--json` shape: snake_case keys as the transformers processors name these values. */
export type ModelInfoJson =
  | { resized_width: number; resized_height: number; grid: readonly [number, number, number]; image_tokens: number }
  | { tiles: readonly [number, number]; num_tiles: number; image_tokens: number }
  | { width: number; height: number };

export function modelInfoJson(info: ImageInfo): ModelInfoJson {
  switch (info.kind) {
    case 'patch-grid':
      return {
        resized_width: info.resizedWidth,
        resized_height: info.resizedHeight,
        grid: info.grid,
        image_tokens: info.imageTokens,
      };
    case 'tiles':
      return { tiles: [info.cols, info.rows], num_tiles: info.numTiles, image_tokens: info.imageTokens };
    case 'original':
      return { width: info.width, height: info.height };
  }
}

export function runModelInfo(options: ModelInfoOptions, json: boolean): string {
  const profile = resolveProfile(options.model);
  const profileOptions: ProfileOptions = {
    ...(options.minPixels === undefined ? {} : { minPixels: options.minPixels }),
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.minTiles === undefined ? {} : { minTiles: options.minTiles }),
    ...(options.maxTiles === undefined ? {} : { maxTiles: options.maxTiles }),
  };
  if (options.videoFrames !== undefined) return videoInfoText(profile, options, options.videoFrames, json);
  const info = profile.imageInfo({ width: options.width, height: options.height }, profileOptions);
  if (json) return `${JSON.stringify(modelInfoJson(info))}\n`;
  return `${describe(profile, options, profileOptions, info).join('\n')}\n`;
}

/** A video's frames: their own pixel bounds and budget, not the image ones. */
function videoInfoText(profile: ModelProfile, options: ModelInfoOptions, frames: number, json: boolean): string {
  const info = profile.videoInfo({ width: options.width, height: options.height }, frames);
  if (info === null) {
    throw mmevolveError('invalid-input', `the ${profile.name} profile has no video rule`, 'Video frame sizes are known for the Qwen-style families (qwen3-vl, qwen2.5-vl, mimo-vl, keye-vl).');
  }
  if (json) return `${JSON.stringify({ frames: info.frames, resized_width: info.frameWidth, resized_height: info.frameHeight, grid: info.grid, video_tokens: info.videoTokens })}\n`;
  return `${[
    `profile: ${profile.name} — ${profile.description}`,
    `input: video of ${frames} sampled frames, each ${options.width}×${options.height}`,
    `each frame resized: ${info.frameWidth}×${info.frameHeight} (video pixel bounds per frame ${info.minPixels}–${info.maxPixels}, from the whole video's budget)`,
    `video grid [t, h, w]: [${info.grid.join(', ')}] (two frames per temporal patch)`,
    `video tokens: ${info.videoTokens}`,
    ...profile.sources.map((source) => `source: ${source}`),
  ].join('\n')}\n`;
}

function describe(profile: ModelProfile, options: ModelInfoOptions, profileOptions: ProfileOptions, info: ImageInfo): string[] {
  const lines = [`profile: ${profile.name} — ${profile.description}`, `input: ${options.width}×${options.height}`];
  switch (info.kind) {
    case 'patch-grid': {
      const bounds = profile.pixelBounds;
      const minPixels = profileOptions.minPixels ?? bounds?.minPixels;
      const maxPixels = profileOptions.maxPixels ?? bounds?.maxPixels;
      lines.push(
        `resized: ${info.resizedWidth}×${info.resizedHeight} (pixel bounds ${minPixels}–${maxPixels})`,
        `patch grid [t, h, w]: [${info.grid.join(', ')}]`,
        `image tokens: ${info.imageTokens}`,
      );
      break;
    }
    case 'tiles':
      lines.push(
        `tiles: ${info.cols}×${info.rows} (cols×rows)${info.numTiles > info.cols * info.rows ? ' + thumbnail' : ''} = ${info.numTiles} tiles`,
        `image tokens: ${info.imageTokens}`,
      );
      break;
    case 'original':
      lines.push(`frame: ${info.width}×${info.height} (sent unchanged; token count unknown)`);
      break;
  }
  lines.push(`boxes: ${profile.boxConvention} (${profile.boxSyntax})`);
  // The whole image as the model would write it: shows the syntax and the coordinate frame at once.
  const size = { width: options.width, height: options.height };
  const whole = profile.toModelBox([0, 0, size.width, size.height], size, profileOptions);
  lines.push(`whole image as a box: ${formatBoxText(profile.boxSyntax, [{ box: whole, label: 'image' }])}`);
  lines.push(
    profile.grounding === 'native'
      ? 'grounding: native format of the family'
      : 'grounding: no format published by the family — generic fallback (json-box prompt, pixels of the frame the model sees)',
  );
  for (const source of profile.sources) lines.push(`source: ${source}`);
  return lines;
}

function positiveInteger(flag: string): (value: string) => number {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed <= 0) {
      throw mmevolveError('invalid-input', `${flag} must be a positive integer, got "${value}"`, `Example: ${flag} 1024`);
    }
    return parsed;
  };
}

export function registerModelInfoCommand(program: Command): void {
  program
    .command('model-info')
    .description("Show how a model family sees an image: resized frame, patch grid or tiles, and image tokens")
    .requiredOption('--model <name>', 'profile (qwen2.5-vl, qwen3-vl, internvl3.5, glm-4.5v, mimo-vl, keye-vl, ernie-4.5-vl, seed1.5-vl, neo, generic) or a model id such as Qwen/Qwen2.5-VL-7B-Instruct')
    .requiredOption('--width <pixels>', 'image width in pixels', positiveInteger('--width'))
    .requiredOption('--height <pixels>', 'image height in pixels', positiveInteger('--height'))
    .option('--min-pixels <count>', 'patch-grid families: minimum pixels after resize (profile default otherwise)', positiveInteger('--min-pixels'))
    .option('--max-pixels <count>', 'patch-grid families: maximum pixels after resize (profile default otherwise)', positiveInteger('--max-pixels'))
    .option('--min-tiles <count>', 'InternVL: minimum number of tiles (default 1)', positiveInteger('--min-tiles'))
    .option('--max-tiles <count>', 'InternVL: maximum number of tiles (default 12)', positiveInteger('--max-tiles'))
    .option('--video-frames <count>', 'describe a video of this many sampled frames of W×H instead: per-frame size under the video pixel limits, and the video tokens', positiveInteger('--video-frames'))
    .option('--json', 'print one JSON object instead of readable lines')
    .action((options: ModelInfoOptions & { json?: boolean }) => {
      process.stdout.write(runModelInfo(options, options.json === true));
    });
}
