import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import { registerModelInfoCommand, runModelInfo } from './model-info.js';

async function runCli(args: string[]): Promise<string> {
  const program = new Command('mmevolve').exitOverride();
  registerModelInfoCommand(program);
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'mmevolve', 'model-info', ...args]);
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mmevolve model-info', () => {
  it('prints the resized size, patch grid and tokens for Qwen2.5-VL as JSON', async () => {
    const output = await runCli(['--model', 'qwen2.5-vl', '--width', '1000', '--height', '630', '--json']);
    // 630 / 28 = 22.5 rounds half to even → 616; 1000 → 1008; tokens 22 · 36.
    expect(JSON.parse(output)).toEqual({ resized_width: 1008, resized_height: 616, grid: [1, 44, 72], image_tokens: 792 });
  });

  it('prints a video frame under the video pixel limits with --video-frames', async () => {
    // qwen-vl-utils fetch_video: 768 frames share 128000·32²·0.9 pixels → 307200 per frame → 736×384.
    const output = await runCli(['--model', 'qwen3-vl', '--width', '1920', '--height', '1080', '--video-frames', '768', '--json']);
    expect(JSON.parse(output)).toEqual({ frames: 768, resized_width: 736, resized_height: 384, grid: [384, 24, 46], video_tokens: 105984 });
    await expect(runCli(['--model', 'internvl3.5', '--width', '1920', '--height', '1080', '--video-frames', '4']), 'a family without a video rule').rejects.toThrow(/no video rule/);
  });

  it('accepts a model id and pixel bounds', async () => {
    const output = await runCli([
      '--model', 'Qwen/Qwen2.5-VL-7B-Instruct', '--width', '3000', '--height', '2000', '--max-pixels', '12845056', '--json',
    ]);
    expect(JSON.parse(output)).toEqual({ resized_width: 2996, resized_height: 1988, grid: [1, 142, 214], image_tokens: 107 * 71 });
  });

  it('uses factor 32 and patch 16 for Qwen3-VL', () => {
    const output = runModelInfo({ model: 'Qwen3-VL-8B-Instruct', width: 1280, height: 720 }, true);
    expect(JSON.parse(output)).toEqual({ resized_width: 1280, resized_height: 704, grid: [1, 44, 80], image_tokens: 880 });
  });

  it('prints tiles with the thumbnail counted for InternVL3.5', () => {
    const output = runModelInfo({ model: 'OpenGVLab/InternVL3_5-8B', width: 1000, height: 1000 }, true);
    expect(JSON.parse(output)).toEqual({ tiles: [3, 3], num_tiles: 10, image_tokens: 2560 });
  });

  it('keeps the original size for the generic profile', () => {
    expect(JSON.parse(runModelInfo({ model: 'generic', width: 333, height: 517 }, true))).toEqual({ width: 333, height: 517 });
  });

  it('prints readable lines without --json', async () => {
    const output = await runCli(['--model', 'internvl3.5', '--width', '1920', '--height', '1080']);
    expect(output).toContain('tiles: 4×2 (cols×rows) + thumbnail = 9 tiles');
    expect(output).toContain('image tokens: 2304');
    expect(output).toContain('boxes: relative-1000 (internvl-box)');
  });

  it('shows GLM-4.5V boxes in their <|begin_of_box|> form with the upstream source', () => {
    const output = runModelInfo({ model: 'zai-org/GLM-4.5V', width: 1000, height: 630 }, false);
    expect(output).toContain('whole image as a box: <|begin_of_box|>[[0,0,1000,1000]]<|end_of_box|>');
    expect(output).toContain('grounding: native format of the family');
    expect(output).toContain('source: huggingface/transformers@052f526c0bf986965ad2144f49b6d5edfccf653f src/transformers/models/glm4v/image_processing_glm4v.py');
  });

  it('says when a family publishes no grounding format (Keye-VL) and prints its resize as JSON', () => {
    const text = runModelInfo({ model: 'keye-vl', width: 1920, height: 1080 }, false);
    expect(text).toContain('grounding: no format published by the family — generic fallback');
    expect(JSON.parse(runModelInfo({ model: 'Kwai-Keye/Keye-VL-8B-Preview', width: 1920, height: 1080 }, true))).toEqual({
      resized_width: 1316,
      resized_height: 728,
      grid: [1, 52, 94],
      image_tokens: 1222,
    });
  });

  it('fails with unsupported-model for an unknown name, listing the known profiles', () => {
    let caught: unknown;
    try {
      runModelInfo({ model: 'llava-1.5', width: 10, height: 10 }, true);
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) ? caught.code : 'no MmevolveError').toBe('unsupported-model');
    expect(isMmevolveError(caught) ? caught.hint : '').toContain('qwen2.5-vl');
  });

  it('rejects a non-integer width with invalid-input', async () => {
    await expect(runCli(['--model', 'generic', '--width', '12.5', '--height', '3'])).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
