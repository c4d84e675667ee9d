/** Assemble a SegmentationResult from a finished run context: mask, RLE, trace stages, counters. */
import type { Box, CallRecord, Mask } from '../core/index.js';
import { maskArea } from '../vision/index.js';
import type { RunContext } from './run-context.js';
import type { BudgetCap, SegmentationMethod, SegmentationResult, SegmentationTrace } from './trace.js';

export function stageTotals(calls: readonly CallRecord[]): SegmentationTrace['stages'] {
  const stages: SegmentationTrace['stages'] = {};
  for (const call of calls) {
    const stage = (stages[call.stage] ??= { calls: 0, promptTokens: 0, completionTokens: 0, latencyMs: 0, failures: 0 });
    stage.calls += 1;
    stage.promptTokens += call.promptTokens;
    stage.completionTokens += call.completionTokens;
    stage.latencyMs += call.latencyMs;
    if (call.errorCode !== undefined) stage.failures += 1;
  }
  return stages;
}

/** Reasoning sentences vs short referring phrases, when the caller does not say (ReasonSeg's is_sentence). */
export function looksLikeSentence(query: string): boolean {
  const words = query.trim().split(/\s+/).filter((word) => word.length > 0);
  return words.length > 6 || /[?.!]$/.test(query.trim());
}

export function emptyTrace(method: SegmentationMethod, context: RunContext, variant: string): SegmentationTrace {
  return { method, query: context.query, isSentence: context.isSentence, variant, phrases: [], generations: [], stages: {} };
}

export function finishResult(
  context: RunContext,
  trace: SegmentationTrace,
  outcome: { mask: Mask; box?: Box | undefined; phrase?: string | undefined; noTarget?: boolean; budgetHit?: BudgetCap | undefined },
): SegmentationResult {
  const area = maskArea(outcome.mask);
  const counters = context.finish();
  trace.stages = stageTotals(context.calls);
  const { mode, rule } = context.config.resolution;
  if (mode !== 'full') trace.resolution = { mode, rule, calls: context.resolution.calls };
  context.emit({ type: 'segmentation-end', method: trace.method, area, wallMs: counters.wallMs });
  return {
    method: trace.method,
    mask: outcome.mask,
    rle: context.rleOf(outcome.mask),
    ...(outcome.box === undefined ? {} : { box: outcome.box }),
    ...(outcome.phrase === undefined ? {} : { phrase: outcome.phrase }),
    trace,
    calls: context.calls,
    counters,
    warnings: context.warnings,
    // "No target" is only ever claimed together with an empty mask.
    noTarget: outcome.noTarget === true && area === 0,
    ...(outcome.budgetHit === undefined ? {} : { budgetHit: outcome.budgetHit }),
  };
}
