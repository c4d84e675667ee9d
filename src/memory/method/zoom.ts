/**
 * The zoom hint: ask the MLLM for the region the retrieved visual lessons point to, and crop it as a
 * second image for the solver — our inference-time stand-in for ViLoMem's attention heatmap, which needs
 * model internals.
 */
import { isMmevolveError, taskResponseSchema } from '../../core/index.js';
import type { Box, RgbImage } from '../../core/index.js';
import { recordedChat } from './call-context.js';
import type { CallContext } from './call-context.js';
import type { MemoryProblem } from './problem.js';
import type { PromptLesson } from './prompts.js';
import { zoomRegionMessages } from './prompts.js';
import { cropImage } from '../../vision/index.js';

export interface ZoomHint {
  /** The region in original-image pixels (after the margin, clipped to the image). */
  box: Box;
  crop: RgbImage;
}

/** The box grown by `margin` of its size on each side, clipped and rounded outwards to whole pixels. */
export function expandBox(box: Box, margin: number, width: number, height: number): Box {
  const padX = (box[2] - box[0]) * margin;
  const padY = (box[3] - box[1]) * margin;
  return [
    Math.max(0, Math.floor(box[0] - padX)),
    Math.max(0, Math.floor(box[1] - padY)),
    Math.min(width, Math.ceil(box[2] + padX)),
    Math.min(height, Math.ceil(box[3] + padY)),
  ];
}

/** The zoom hint, or undefined (with a warning) when the region is unusable or the answer invalid. */
export async function zoomHint(context: CallContext, problem: MemoryProblem, lessons: readonly PromptLesson[]): Promise<ZoomHint | undefined> {
  let region: Box;
  try {
    const result = await recordedChat(context, {
      messages: zoomRegionMessages(problem, lessons),
      images: [problem.image],
      schema: { name: 'zoom_region', schema: taskResponseSchema('zoom_region') },
      stage: 'memory-zoom',
    });
    region = result.boxToOriginal(result.value.bbox_2d, 0);
  } catch (error) {
    if (isMmevolveError(error) && error.code === 'invalid-model-output') {
      context.warnings.push({ code: 'zoom-invalid-output', message: `zoom_region answer unusable (${error.message}); solved without a crop` });
      return undefined;
    }
    throw error;
  }
  const { image } = problem;
  const box = expandBox(region, context.config.zoom.margin, image.width, image.height);
  const minSide = context.config.zoom.minSide;
  if (box[2] - box[0] < minSide || box[3] - box[1] < minSide) {
    context.warnings.push({ code: 'zoom-region-too-small', message: `zoom region ${box.map((value) => Math.round(value)).join(',')} is smaller than ${minSide} px; solved without a crop` });
    return undefined;
  }
  return { box, crop: cropImage(image, box) };
}
