/**
 * The box stream shared by the final arbitration and the `box` baseline: the MLLM predicts one box in its
 * profile's coordinates, the client converts it to the original frame, the segmenter is prompted with
 * the box alone, and the instance that fills the box best is kept (highest score among equals). SAM 3's
 * concept model reads a box as an exemplar and returns every instance like it (roboflow/inference,
 * Sam3Prompt.boxes), so the highest score alone could pick a look-alike elsewhere in the image.
 */
import { createMask } from '../core/index.js';
import type { Box, Mask, SegmentInstance } from '../core/index.js';
import { maskArea } from '../vision/index.js';
import { predictBoxPrompt } from './prompts.js';
import { isUnreadableOutput } from './run-accounting.js';
import type { RunContext } from './run-context.js';

export interface BoxStream {
  box?: Box;
  mask: Mask;
  score: number;
  area: number;
  /** The model listed no box at all: its answer is "no target". */
  noTarget?: boolean;
}

export function clipBox(box: Box, width: number, height: number): Box | undefined {
  const x1 = Math.max(0, Math.min(width, Math.min(box[0], box[2])));
  const x2 = Math.max(0, Math.min(width, Math.max(box[0], box[2])));
  const y1 = Math.max(0, Math.min(height, Math.min(box[1], box[3])));
  const y2 = Math.max(0, Math.min(height, Math.max(box[1], box[3])));
  return x2 - x1 < 1 || y2 - y1 < 1 ? undefined : [x1, y1, x2, y2];
}

/** predict_box → original-frame box (clipped), or undefined when the model sees no target. */
export async function predictBox(context: RunContext, stage = 'box'): Promise<Box | undefined> {
  return (await predictBoxAnswer(context, stage)).box;
}

/** predict_box with the difference between "no box listed" (noTarget) and an unusable box kept. */
export async function predictBoxAnswer(context: RunContext, stage = 'box'): Promise<{ box?: Box; noTarget: boolean }> {
  const prompt = predictBoxPrompt(context.queryLine);
  try {
    const result = await context.ask('mllm', 'predict_box', { ...prompt, images: [context.image], stage });
    const first = result.value.boxes[0];
    if (first === undefined) return { noTarget: true };
    const [x1, y1, x2, y2] = first.bbox_2d;
    const box = clipBox(result.boxToOriginal([x1, y1, x2, y2], 0), context.image.width, context.image.height);
    if (box === undefined) context.warn('box-degenerate', `predicted box [${first.bbox_2d.join(', ')}] is empty inside the image; no box mask`);
    return box === undefined ? { noTarget: false } : { box, noTarget: false };
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('box-unparsable', 'predict_box answer could not be read; no box (documented fallback)');
    return { noTarget: false };
  }
}

function boxIou(left: Box, right: Box): number {
  const width = Math.max(0, Math.min(left[2], right[2]) - Math.max(left[0], right[0]));
  const height = Math.max(0, Math.min(left[3], right[3]) - Math.max(left[1], right[1]));
  const intersection = width * height;
  const union = (left[2] - left[0]) * (left[3] - left[1]) + (right[2] - right[0]) * (right[3] - right[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** The instance whose box overlaps the prompt box most; the higher score among equal overlaps. */
export function instanceForBox(instances: readonly SegmentInstance[], box: Box): SegmentInstance | undefined {
  return [...instances].sort((a, b) => boxIou(b.box, box) - boxIou(a.box, box) || b.score - a.score)[0];
}

/** `rideAlong`: the box may ride in the next batch of phrases (started beside the evolution; box-ride.ts). */
export async function runBoxStream(context: RunContext, options: { rideAlong?: boolean } = {}): Promise<BoxStream> {
  const { width, height } = context.image;
  const pending = predictBoxAnswer(context);
  if (options.rideAlong === true) context.expectBoxPrompt(pending.then((answer) => answer.box));
  const answer = await pending;
  const box = answer.box;
  if (box === undefined) return { mask: createMask(width, height), score: 0, area: 0, noTarget: answer.noTarget };
  const result = await context.segmentBox(box);
  const best = instanceForBox(result.instances, box);
  if (best === undefined) return { box, mask: createMask(width, height), score: 0, area: 0 };
  return { box, mask: best.mask, score: best.score, area: maskArea(best.mask) };
}
