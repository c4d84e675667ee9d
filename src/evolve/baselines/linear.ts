/**
 * The two linear baselines on the same backends: `single` (the MLLM gives one phrase → segmenter →
 * instances of at least `minInstancePixels` OR-merged) and `box` (the MLLM gives one box → box-prompted
 * mask, highest-scoring instance).
 */
import { createMask } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { encodeRle, maskArea } from '../../vision/index.js';
import { runBoxStream } from '../box-stream.js';
import { mergeInstances } from '../evaluation.js';
import type { SegmentationOptions } from '../evolve-segment.js';
import { createRunContext } from '../evolve-segment.js';
import { planPhrases } from '../planning.js';
import { emptyTrace, finishResult } from '../result.js';
import type { SegmentationResult } from '../trace.js';

export async function singleSegment(image: RgbImage, query: string, options: SegmentationOptions): Promise<SegmentationResult> {
  const context = createRunContext(image, query, options);
  const trace = emptyTrace('single', context, 'single');
  context.emit({ type: 'segmentation-start', method: 'single', query });
  context.emit({ type: 'planning-start' });
  const phrases = await planPhrases(context);
  const phrase = phrases[0];
  trace.planning = { queryText: context.queryLine, planned: phrases, refinements: [], variants: [], population: phrase === undefined ? [] : [phrase] };
  context.emit({ type: 'planning-end', population: trace.planning.population });
  if (phrase === undefined) return finishResult(context, trace, { mask: createMask(image.width, image.height), noTarget: true });
  const result = await context.segmentText(phrase);
  const merged = mergeInstances(result.instances, image.width, image.height, context.config.minInstancePixels);
  const area = maskArea(merged.mask);
  // The linear pipeline has no gate: the record says so with reason 'confident'/'empty' by area only.
  const rle = encodeRle(merged.mask);
  trace.phrases.push({
    generation: 0,
    phrase,
    origin: 'plan',
    rle,
    area,
    confidence: merged.confidence,
    instances: merged.kept,
    confirmed: merged.confidence > context.config.gate.confirmedAbove,
    gate: { passed: area > 0, reason: area > 0 ? 'confident' : 'empty', cached: false },
  });
  context.emit({ type: 'phrase-evaluated', generation: 0, phrase, confidence: merged.confidence, area, passed: area > 0, reason: area > 0 ? 'confident' : 'empty', rle });
  return finishResult(context, trace, { mask: merged.mask, phrase });
}

export async function boxSegment(image: RgbImage, query: string, options: SegmentationOptions): Promise<SegmentationResult> {
  const context = createRunContext(image, query, options);
  const trace = emptyTrace('box', context, 'box');
  context.emit({ type: 'segmentation-start', method: 'box', query });
  const stream = await runBoxStream(context);
  trace.arbitration = {
    output: 'box_only',
    textFallback: false,
    verdicts: [],
    decision: stream.area > 0 ? 'box' : 'empty',
    reason: stream.area > 0 ? 'output-mode' : 'neither',
    ...(stream.box === undefined ? {} : { box: stream.box }),
    ...(stream.area > 0 ? { boxRle: encodeRle(stream.mask), boxScore: stream.score } : {}),
  };
  context.emit({ type: 'arbitration-end', decision: trace.arbitration.decision, ...(stream.box === undefined ? {} : { box: stream.box }) });
  return finishResult(context, trace, { mask: stream.mask, box: stream.box, noTarget: stream.noTarget === true });
}
