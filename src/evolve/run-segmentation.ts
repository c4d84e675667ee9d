/** One entry point for every method on the same backends: `evol` and the baselines it is compared with. */
import type { RgbImage } from '../core/index.js';
import { mmevolveError } from '../core/index.js';
import { agentSegment } from './baselines/agent.js';
import { conceptOnlySegment } from './baselines/concept-only.js';
import { boxSegment, singleSegment } from './baselines/linear.js';
import { evolveSegment } from './evolve-segment.js';
import type { EvolveOptions } from './evolve-segment.js';
import type { SegmentationMethod, SegmentationResult } from './trace.js';

export const SEGMENTATION_METHODS: readonly SegmentationMethod[] = ['evol', 'single', 'box', 'agent', 'concept-only'];

/** Whether a method asks an MLLM; concept-only sends the query to the segmenter alone. */
export function methodNeedsMllm(method: SegmentationMethod): boolean {
  return method !== 'concept-only';
}

export function isSegmentationMethod(value: string): value is SegmentationMethod {
  return (SEGMENTATION_METHODS as readonly string[]).includes(value);
}

export async function runSegmentation(method: SegmentationMethod, image: RgbImage, query: string, options: EvolveOptions): Promise<SegmentationResult> {
  switch (method) {
    case 'evol':
      return evolveSegment(image, query, options);
    case 'single':
      return singleSegment(image, query, options);
    case 'box':
      return boxSegment(image, query, options);
    case 'agent':
      return agentSegment(image, query, options);
    case 'concept-only':
      return conceptOnlySegment(image, query, options);
    default:
      throw mmevolveError('invalid-input', `unknown segmentation method "${String(method)}"`, `Use one of ${SEGMENTATION_METHODS.join(', ')}.`);
  }
}
