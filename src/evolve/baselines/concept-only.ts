/**
 * The `concept-only` baseline: the query text itself is the segmenter's text prompt — no MLLM call at all —
 * and the answer is the highest-scoring instance (at least `minInstancePixels`). This is what a user of
 * SAM 3 alone would do with a referring query: SAM 3 returns every instance of the concept it reads in the
 * prompt, each with its own score, and a query about "the" object keeps the most confident one (the
 * top-1 protocol of referring segmentation). The union of all instances would answer "all the …" queries;
 * ReasonSeg-style queries name one target, so the union is not used (README "concept-only").
 */
import { createMask } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { encodeRle, maskArea } from '../../vision/index.js';
import type { SegmentationOptions } from '../evolve-segment.js';
import { createRunContext } from '../evolve-segment.js';
import { emptyTrace, finishResult } from '../result.js';
import type { SegmentationResult } from '../trace.js';

export async function conceptOnlySegment(image: RgbImage, query: string, options: SegmentationOptions): Promise<SegmentationResult> {
  const context = createRunContext(image, query, options);
  const trace = emptyTrace('concept-only', context, 'concept-only');
  context.emit({ type: 'segmentation-start', method: 'concept-only', query });
  const prompt = query.trim();
  if (prompt === '') return finishResult(context, trace, { mask: createMask(image.width, image.height) });
  const result = await context.segmentText(prompt);
  const minPixels = context.config.minInstancePixels;
  const best = result.instances
    .filter((instance) => maskArea(instance.mask) >= minPixels)
    .reduce<(typeof result.instances)[number] | undefined>((top, instance) => (top === undefined || instance.score > top.score ? instance : top), undefined);
  const mask = best?.mask ?? createMask(image.width, image.height);
  const area = maskArea(mask);
  const rle = encodeRle(mask);
  const confidence = best?.score ?? 0;
  // No gate and no MLLM: the record says 'confident'/'empty' by area only, as the linear baselines do.
  trace.phrases.push({
    generation: 0,
    phrase: prompt,
    origin: 'query',
    rle,
    area,
    confidence,
    instances: result.instances.length,
    confirmed: confidence > context.config.gate.confirmedAbove,
    gate: { passed: area > 0, reason: area > 0 ? 'confident' : 'empty', cached: false },
  });
  context.emit({ type: 'phrase-evaluated', generation: 0, phrase: prompt, confidence, area, passed: area > 0, reason: area > 0 ? 'confident' : 'empty', rle });
  // SAM 3 answers a concept prompt with no instance when its presence score says the concept is absent:
  // for this baseline, where the segmenter is the only reader of the query, that is its "no target".
  return finishResult(context, trace, { mask, phrase: prompt, noTarget: area === 0 });
}
