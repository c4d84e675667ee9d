/**
 * Stage 6, heterogeneous final arbitration: the evolved text mask against a box-prompted mask. When both
 * exist the judge compares them (double check: twice, order swapped). A consistent verdict wins; an
 * inconsistent one (or a tie) falls back by dataset kind, as solver.py _final_arbitration does: text (the
 * evolved mask) for ReasonSeg, box for RefCOCO (configurable). Output modes `text_only` and `box_only`
 * skip the other stream (published ablations).
 */
import { createMask } from '../core/index.js';
import type { Box, Mask } from '../core/index.js';
import { judgePair } from './arena.js';
import { maskHash } from './evaluation.js';
import { runBoxStream } from './box-stream.js';
import type { BoxStream } from './box-stream.js';
import type { RunContext } from './run-context.js';
import type { ArbitrationRecord, PhraseEvaluation } from './trace.js';

export interface TextCandidate {
  evaluation: PhraseEvaluation;
  /** No individual passed the gate: this is the last planned phrase's mask. */
  fallback: boolean;
}

export interface ArbitrationOutcome {
  mask: Mask;
  box?: Box;
  phrase?: string;
  record: ArbitrationRecord;
}

type Source = 'text' | 'box';

/** The source both verdicts agree on, or undefined when they disagree or any is a tie. */
export function consistentWinner(winners: readonly ('text' | 'box' | 'tie')[]): Source | undefined {
  const first = winners[0];
  if (first === undefined || first === 'tie') return undefined;
  return winners.every((winner) => winner === first) ? first : undefined;
}

/** `boxStream`: the box stream when it was started earlier (concurrentStages runs it beside the evolution). */
export async function arbitrate(context: RunContext, text: TextCandidate | undefined, boxStream?: Promise<BoxStream>): Promise<ArbitrationOutcome> {
  const { output, check, inconsistentFallback } = context.config.final;
  const { width, height } = context.image;
  const record: ArbitrationRecord = { output, textFallback: text?.fallback ?? false, verdicts: [], decision: 'empty', reason: 'neither' };
  const textMask = output === 'box_only' || text === undefined || text.evaluation.area === 0 ? undefined : text.evaluation;
  if (textMask !== undefined) {
    record.textPhrase = textMask.phrase;
    record.textRle = textMask.rle;
  }
  const textOutcome = (reason: ArbitrationRecord['reason']): ArbitrationOutcome => {
    record.decision = 'text';
    record.reason = reason;
    return { mask: textMask?.mask ?? createMask(width, height), ...(textMask === undefined ? {} : { phrase: textMask.phrase }), record };
  };
  if (output === 'text_only') return textMask === undefined ? { mask: createMask(width, height), record } : textOutcome('output-mode');

  const streamed = await (boxStream ?? runBoxStream(context));
  if (streamed.box !== undefined) record.box = streamed.box;
  let box = streamed;
  if (streamed.area > 0) {
    record.boxRle = context.rleOf(streamed.mask);
    record.boxScore = streamed.score;
    // A box mask equal to the text mask is the same object, so the judge's overlays of it are made once.
    box = { ...streamed, mask: context.sameMask(maskHash(record.boxRle), streamed.mask) };
  }
  const boxOutcome = (reason: ArbitrationRecord['reason']): ArbitrationOutcome => {
    record.decision = 'box';
    record.reason = reason;
    return { mask: box.mask, ...(box.box === undefined ? {} : { box: box.box }), record };
  };
  if (output === 'box_only') return box.area > 0 ? boxOutcome('output-mode') : { mask: createMask(width, height), record };
  if (textMask === undefined && box.area === 0) return { mask: createMask(width, height), record };
  if (textMask === undefined) return boxOutcome('only-box');
  if (box.area === 0) return textOutcome('only-text');

  const orders: Source[] = check === 'double' ? ['text', 'box'] : ['text'];
  const verdicts = await context.map(orders, async (shownA) => {
    const [first, second] = shownA === 'text' ? [textMask.mask, box.mask] : [box.mask, textMask.mask];
    const textSource = `Text: ${textMask.phrase}`;
    const boxSource = `Box: [${(box.box ?? []).map((value) => Math.round(value)).join(', ')}]`;
    const sources: [string, string] = shownA === 'text' ? [textSource, boxSource] : [boxSource, textSource];
    const verdict = await judgePair(context, first, second, 'final-judge', sources);
    const shownB: Source = shownA === 'text' ? 'box' : 'text';
    const winner: Source | 'tie' = verdict.verdict === 'tie' ? 'tie' : verdict.verdict === 'A' ? shownA : shownB;
    return { shownA, verdict: verdict.verdict, winner, reason: verdict.reason, unparsable: verdict.unparsable };
  });
  record.verdicts = verdicts;
  const winner = consistentWinner(verdicts.map((verdict) => verdict.winner));
  if (winner !== undefined) return winner === 'text' ? textOutcome('consistent') : boxOutcome('consistent');
  const fallback = inconsistentFallback[context.datasetKind];
  return fallback === 'text' ? textOutcome('fallback-inconsistent') : boxOutcome('fallback-inconsistent');
}
