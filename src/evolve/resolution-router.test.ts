import { describe, expect, it } from 'vitest';
import { createRecordingMllmClient } from '../backends/__tests__/recording-mocks.js';
import { createMask } from '../core/index.js';
import type { ChatRequest, Mask, RgbImage } from '../core/index.js';
import { resolveEvolveConfig } from './config.js';
import type { EvolveConfigInput } from './config.js';
import { evolveSegment } from './evolve-segment.js';
import { formatTraceTree } from './explain.js';
import { instance, taskOf } from './__tests__/support.js';
import type { TaskHandlers } from './__tests__/support.js';
import { createRecordingSegmenter } from '../backends/__tests__/recording-mocks.js';

/** 448×336: Qwen2.5-VL sends it as 16×12 tokens of 28 px (192); its quarter is 224×168, 8×6 tokens (48). */
const WIDTH = 448;
const HEIGHT = 336;

function image(): RgbImage {
  const data = new Uint8Array(WIDTH * HEIGHT * 3).fill(200);
  for (let y = 100; y < 260; y += 1) for (let x = 120; x < 320; x += 1) data.set([200, 40, 40], (y * WIDTH + x) * 3);
  return { width: WIDTH, height: HEIGHT, data };
}

function cupMask(): Mask {
  const mask = createMask(WIDTH, HEIGHT);
  for (let y = 100; y < 260; y += 1) for (let x = 120; x < 320; x += 1) mask.data[y * WIDTH + x] = 1;
  return mask;
}

/** The model answers in pixels of the image it receives, as Qwen2.5-VL does: the cup's box in the sent frame. */
function handlers(): TaskHandlers {
  const boxInSent = (request: ChatRequest<unknown>) => {
    const sent = request.images?.[0];
    const scale = (sent?.width ?? WIDTH) / WIDTH;
    return [120 * scale, 100 * scale, 320 * scale, 260 * scale];
  };
  return {
    plan_phrases: () => ({ phrases: ['cup'] }),
    refine_phrase: () => ({ verdict: 'keep', phrase: 'cup' }),
    rephrase_variants: () => ({ phrases: ['mug'] }),
    predict_box: (request) => ({ boxes: [{ bbox_2d: boxInSent(request), label: 'cup' }] }),
    rewrite_phrase: () => ({ phrase: 'cup' }),
    judge_pair: () => ({ winner: 'tie', reason: 'same region' }),
    verify_mask: () => ({ answer: 'yes' }),
    check_resolution: () => ({ needsFullResolution: false }),
  };
}

function scripted(scriptedHandlers: TaskHandlers) {
  return createRecordingMllmClient(
    (request) => {
      const task = taskOf(request);
      const handler = task === undefined ? undefined : scriptedHandlers[task];
      if (handler === undefined) throw new Error(`unscripted task ${String(task)}`);
      return JSON.stringify(handler(request, 0));
    },
    { profileName: 'qwen2.5-vl' },
  );
}

async function run(resolution: EvolveConfigInput['resolution']) {
  const mllm = scripted(handlers());
  // Confidence 0.7 lies in the gate's band, so every mask is verified with an overlay.
  const segmenter = createRecordingSegmenter(() => [instance(cupMask(), 0.7)]);
  const config = resolveEvolveConfig('improved', { resolution });
  const result = await evolveSegment(image(), 'the cup', { backends: { mllm, segmenter }, config });
  return { mllm, result };
}

describe('resolution policy in the engine', () => {
  it('sends every image at full resolution by default and counts its visual tokens', async () => {
    const { mllm, result } = await run(undefined);
    const sizes = mllm.calls.flatMap((call) => (call.images ?? []).map((sent) => `${sent.width}x${sent.height}`));
    expect(new Set(sizes), 'only the original size goes out').toEqual(new Set([`${WIDTH}x${HEIGHT}`]));
    expect(result.counters.imagesQuarter).toBe(0);
    expect(result.counters.imageTokensSent, '192 tokens per image').toBe(192 * sizes.length);
    expect(result.counters.imageTokensAllFull).toBe(result.counters.imageTokensSent);
    expect(result.trace.resolution, 'no resolution trace unless asked').toBeUndefined();
  });

  it('sends the quarter image (224×168) with every call in quarter mode, raw and overlays alike, and maps boxes back', async () => {
    const { mllm, result } = await run({ mode: 'quarter' });
    const sizes = mllm.calls.flatMap((call) => (call.images ?? []).map((sent) => `${sent.width}x${sent.height}`));
    expect(sizes.length, 'the run sent images').toBeGreaterThan(3);
    expect(new Set(sizes), 'every image at a quarter of the pixels').toEqual(new Set(['224x168']));
    expect(mllm.calls.some((call) => taskOf(call) === 'verify_mask' && call.images?.length === 2), 'overlays went too').toBe(true);
    expect(result.counters.imagesQuarter).toBe(sizes.length);
    expect(result.counters.imageTokensSent, '48 tokens per quarter image').toBe(48 * sizes.length);
    expect(result.counters.imageTokensAllFull, 'what all-full would have sent').toBe(192 * sizes.length);
    expect(result.trace.arbitration?.box, 'the box written on the quarter image, in original pixels').toEqual([120, 100, 320, 260]);
    expect(result.trace.resolution?.calls.every((call) => call.resolution === 'quarter')).toBe(true);
    expect(formatTraceTree(result), 'the explain tree shows the saving').toMatch(/resolution quarter: \d+ image\(s\) at quarter, 0 at full; visual tokens \d+ of \d+ all-full \(75\.0% saved\)/);
  });

  it('asks the judge rule once per distinct set of images, at quarter size, and follows its answer', async () => {
    const { mllm, result } = await run({ mode: 'adaptive', rule: 'judge' });
    const checks = mllm.calls.filter((call) => taskOf(call) === 'check_resolution');
    expect(checks.length, 'at least the raw image was checked').toBeGreaterThan(0);
    for (const check of checks) expect(check.images?.every((sent) => sent.width === 224 && sent.height === 168), 'checks see the quarter image').toBe(true);
    const rawOnly = mllm.calls.filter((call) => taskOf(call) !== 'check_resolution' && call.images?.length === 1);
    expect(checks.filter((check) => check.images?.length === 1).length, 'one check serves every raw-image call').toBe(1);
    expect(rawOnly.length).toBeGreaterThan(1);
    expect(result.counters.resolutionChecks).toBe(checks.length);
    expect(result.counters.imagesFull, 'the judge said quarter suffices').toBe(0);
  });

  it('keeps full resolution when the judge rule says full detail is needed', async () => {
    const mllm = scripted({ ...handlers(), check_resolution: () => ({ needsFullResolution: true }) });
    const segmenter = createRecordingSegmenter(() => [instance(cupMask(), 0.7)]);
    const config = resolveEvolveConfig('improved', { resolution: { mode: 'adaptive', rule: 'judge' } });
    const result = await evolveSegment(image(), 'the cup', { backends: { mllm, segmenter }, config });
    const answered = mllm.calls.filter((call) => taskOf(call) !== 'check_resolution');
    expect(answered.every((call) => (call.images ?? []).every((sent) => sent.width === WIDTH)), 'no call went at quarter').toBe(true);
    expect(result.counters.imagesQuarter).toBe(0);
    expect(result.counters.imageTokensSent, 'the checks cost their quarter tokens on top').toBeGreaterThan(result.counters.imageTokensAllFull);
  });

  it('lets the cheap rule send a calm raw image at quarter but verify a thin mask at full resolution', async () => {
    const thin = createMask(WIDTH, HEIGHT);
    for (let y = 60; y < 300; y += 1) for (let x = 400; x < 406; x += 1) thin.data[y * WIDTH + x] = 1;
    const mllm = scripted(handlers());
    const segmenter = createRecordingSegmenter((call) => [instance(call.kind === 'text' && call.phrase === 'mug' ? thin : cupMask(), 0.7)]);
    const config = resolveEvolveConfig('improved', { resolution: { mode: 'adaptive', rule: 'cheap' } });
    const result = await evolveSegment(image(), 'the cup', { backends: { mllm, segmenter }, config });
    const verifies = mllm.calls.filter((call) => taskOf(call) === 'verify_mask').map((call) => call.images?.[0]?.width);
    expect(verifies.sort(), 'the 6-px-wide mask at full (448), the cup at quarter (224)').toEqual([224, 448]);
    const plan = mllm.calls.find((call) => taskOf(call) === 'plan_phrases');
    expect(plan?.images?.[0]?.width, 'a flat image with one large object has few edges').toBe(224);
    const reasons = result.trace.resolution?.calls.filter((call) => call.resolution === 'full').map((call) => call.reason) ?? [];
    expect(reasons.some((reason) => /smallest mask side 3\.0 px at quarter < 16/.test(reason)), reasons.join('; ')).toBe(true);
  });

  it('warns and stays at full resolution for a profile where a quarter image saves no tokens (InternVL tiles)', async () => {
    const mllm = createRecordingMllmClient((request) => JSON.stringify(handlers()[taskOf(request) ?? 'plan_phrases']?.(request, 0)), { profileName: 'internvl3.5' });
    const segmenter = createRecordingSegmenter(() => [instance(cupMask(), 0.7)]);
    const config = resolveEvolveConfig('improved', { resolution: { mode: 'quarter' } });
    const result = await evolveSegment(image(), 'the cup', { backends: { mllm, segmenter }, config });
    expect(result.counters.imagesQuarter).toBe(0);
    expect(result.warnings.map((warning) => warning.code)).toContain('resolution-no-saving');
  });
});
