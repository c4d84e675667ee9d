/**
 * Every number of a segmentation report, recomputed from results lines only: LISA gIoU/cIoU (overall,
 * short, long) via `summarize`, the failure taxonomy, calls/tokens/latency per sample and per stage,
 * counters per sample and the per-image IoU histogram.
 */
import { sumDigests } from './call-digest.js';
import type { StageDigest } from './call-digest.js';
import type { ScoreSummary } from './metrics.js';
import { imageIou, summarize } from './metrics.js';
import { summarizeJudgeChecks } from './judge-check.js';
import type { JudgeCheckSummary } from './judge-check.js';
import type { SegmentationLine } from './segmentation-run.js';
import { summarizeGrefcoco } from './grefcoco-metrics.js';
import type { GrefcocoSummary } from './grefcoco-metrics.js';
import { summarizeSaco } from './saco-metrics.js';
import type { SacoSummary } from './saco-metrics.js';

export interface StageCost {
  callsPerSample: number;
  promptTokensPerSample: number;
  completionTokensPerSample: number;
  latencyMsPerSample: number;
  cacheHits: number;
  failures: number;
}

/**
 * Per finished sample. Cache hits are counted apart from fresh calls everywhere: a rerun served from the
 * response cache spends no tokens and little time, and mixing the two would make a run look cheap or fast.
 */
export interface CostSummary {
  /** Samples the means are over: finished ones (a failed sample's calls are not known). */
  samples: number;
  /** Every backend call, fresh or answered from the cache (= fresh.callsPerSample + cached.callsPerSample). */
  callsPerSample: number;
  /** Tokens spent, i.e. by fresh calls only (= fresh.promptTokensPerSample). */
  promptTokensPerSample: number;
  completionTokensPerSample: number;
  /** Tokens of answers served by the response cache per sample (not spent; 0 without a cache). */
  cachedTokensPerSample: number;
  /** Summed backend latency per sample (calls in parallel add up; cache hits ≈ 0). */
  latencyMsPerSample: number;
  /** Wall time over every finished sample, cached or not. */
  wallMsPerSample: number;
  /** Calls that reached a backend: what this run spent. */
  fresh: { callsPerSample: number; promptTokensPerSample: number; completionTokensPerSample: number };
  /** Calls the response cache answered: nothing spent now; the tokens are what those answers cost when fresh (= cachedTokensPerSample). */
  cached: { callsPerSample: number; tokensPerSample: number };
  /**
   * Wall time split by samples: those whose calls were all fresh, and those with at least one cache hit (a
   * cached sample's wall time says little about the backends' speed). null when no sample is in the group.
   */
  wall: { freshSamples: number; freshMsPerSample: number | null; cachedSamples: number; cachedMsPerSample: number | null };
  byStage: Record<string, StageCost>;
  /** By backend role (mllm, judge, segmenter, embedder). */
  byBackend: Record<string, StageCost>;
}

export interface SegmentationSummary {
  kind: 'segmentation';
  n: number;
  finished: number;
  failed: number;
  failuresByCode: Record<string, number>;
  /** Failed samples count as empty masks (IoU 0 with a target, 1 without). */
  scores: ScoreSummary;
  costs: CostSummary;
  /** Mean of each counter over finished samples. */
  countersPerSample: Record<string, number>;
  iouHistogram: { edges: number[]; counts: number[] };
  /** The final judge's position bias and the double check's corrections (samples that had one). */
  judgeChecks: JudgeCheckSummary;
  /** Per-sample IoU recomputed from the counts, in line order (plots, compare). */
  perSample: { id: string; iou: number; calls: number; isSentence: boolean; status: 'ok' | 'failed' }[];
  /** Samples stopped by a per-sample budget (eval --max-calls-per-sample / --max-tokens-per-sample). */
  capped: { samples: number; calls: number; tokens: number };
  /** Samples the method answered "no target" (declared, or an empty mask on gRefCOCO). */
  answeredNoTarget: number;
  /** gRefCOCO runs (lines carry noTarget): ReLA's gIoU, cIoU, N-acc and T-acc, exact. */
  grefcoco?: GrefcocoSummary;
  /** SA-Co/Gold runs (lines carry saco): cgF1, pmF1, IL_MCC as SAM 3's evaluator computes them. */
  saco?: SacoSummary;
}

export const HISTOGRAM_BINS = 10;

export function summarizeSegmentation(lines: readonly SegmentationLine[]): SegmentationSummary {
  const finished = lines.filter((line) => line.status === 'ok');
  const failuresByCode: Record<string, number> = {};
  for (const line of lines) {
    if (line.status === 'failed') failuresByCode[line.error?.code ?? 'unknown'] = (failuresByCode[line.error?.code ?? 'unknown'] ?? 0) + 1;
  }
  const perSample = lines.map((line) => ({
    id: line.id,
    iou: imageIou({ intersection: line.intersection, union: line.union }),
    calls: line.calls.calls,
    isSentence: line.isSentence,
    status: line.status,
  }));
  return {
    kind: 'segmentation',
    n: lines.length,
    finished: finished.length,
    failed: lines.length - finished.length,
    failuresByCode: sortedRecord(failuresByCode),
    scores: summarize(lines.map((line) => ({ counts: { intersection: line.intersection, union: line.union }, isSentence: line.isSentence }))),
    costs: costSummary(finished),
    countersPerSample: meanCounters(finished.map((line) => line.counters)),
    iouHistogram: histogram(perSample.map((sample) => sample.iou)),
    judgeChecks: summarizeJudgeChecks(finished.map((line) => line.judgeCheck)),
    perSample,
    capped: {
      samples: lines.filter((line) => line.capped !== undefined).length,
      calls: lines.filter((line) => line.capped === 'calls').length,
      tokens: lines.filter((line) => line.capped === 'tokens').length,
    },
    answeredNoTarget: lines.filter((line) => line.predictedNoTarget === true).length,
    ...grefcocoBlock(lines),
    ...(lines.some((line) => line.saco !== undefined) ? { saco: summarizeSaco(lines.flatMap((line) => (line.saco === undefined ? [] : [line.saco]))) } : {}),
  };
}

function grefcocoBlock(lines: readonly SegmentationLine[]): { grefcoco?: GrefcocoSummary } {
  if (!lines.some((line) => line.noTarget !== undefined)) return {};
  return {
    grefcoco: summarizeGrefcoco(
      lines.map((line) => ({ intersection: line.intersection, union: line.union, iou: line.iou, noTarget: line.noTarget ?? false, predictedNoTarget: line.predictedNoTarget ?? line.area === 0 })),
    ),
  };
}

export function costSummary(lines: ReadonlyArray<Pick<SegmentationLine, 'calls' | 'wallMs'>>): CostSummary {
  const total = sumDigests(lines.map((line) => line.calls));
  const count = lines.length;
  const mean = (value: number): number => (count === 0 ? 0 : value / count);
  const costs = (record: Record<string, StageDigest>): Record<string, StageCost> =>
    Object.fromEntries(
      Object.entries(record).map(([name, digest]) => [
        name,
        {
          callsPerSample: mean(digest.calls),
          promptTokensPerSample: mean(digest.promptTokens),
          completionTokensPerSample: mean(digest.completionTokens),
          latencyMsPerSample: mean(digest.latencyMs),
          cacheHits: digest.cacheHits,
          failures: digest.failures,
        },
      ]),
    );
  const freshLines = lines.filter((line) => line.calls.cacheHits === 0);
  const cachedLines = lines.filter((line) => line.calls.cacheHits > 0);
  const meanWall = (group: ReadonlyArray<Pick<SegmentationLine, 'wallMs'>>): number | null => (group.length === 0 ? null : group.reduce((sum, line) => sum + line.wallMs, 0) / group.length);
  return {
    samples: count,
    callsPerSample: mean(total.calls),
    promptTokensPerSample: mean(total.promptTokens),
    completionTokensPerSample: mean(total.completionTokens),
    cachedTokensPerSample: mean(total.cachedTokens ?? 0),
    latencyMsPerSample: mean(total.latencyMs),
    wallMsPerSample: mean(lines.reduce((sum, line) => sum + line.wallMs, 0)),
    fresh: { callsPerSample: mean(total.calls - total.cacheHits), promptTokensPerSample: mean(total.promptTokens), completionTokensPerSample: mean(total.completionTokens) },
    cached: { callsPerSample: mean(total.cacheHits), tokensPerSample: mean(total.cachedTokens ?? 0) },
    wall: { freshSamples: freshLines.length, freshMsPerSample: meanWall(freshLines), cachedSamples: cachedLines.length, cachedMsPerSample: meanWall(cachedLines) },
    byStage: costs(total.byStage),
    byBackend: costs(total.byBackend ?? {}),
  };
}

export function meanCounters(counters: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of counters) for (const [key, value] of Object.entries(record)) sums[key] = (sums[key] ?? 0) + value;
  return sortedRecord(Object.fromEntries(Object.entries(sums).map(([key, value]) => [key, value / counters.length])));
}

/** Equal-width bins over [0, 1]; the last bin includes 1. */
export function histogram(values: readonly number[], bins = HISTOGRAM_BINS): { edges: number[]; counts: number[] } {
  const edges = Array.from({ length: bins + 1 }, (_unused, index) => index / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(value * bins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, counts };
}

/** The progress bar's running metric. */
export function runningSegmentationMetric(lines: readonly SegmentationLine[]): string {
  if (lines.length === 0) return 'gIoU -';
  const { giou } = summarize(lines.map((line) => ({ counts: { intersection: line.intersection, union: line.union }, isSentence: line.isSentence })));
  const failed = lines.filter((line) => line.status === 'failed').length;
  return `gIoU ${((giou ?? 0) * 100).toFixed(2)}${failed > 0 ? ` (${failed} failed)` : ''}`;
}

export function sortedRecord<Value>(record: Record<string, Value>): Record<string, Value> {
  return Object.fromEntries(Object.entries(record).sort(([left], [right]) => left.localeCompare(right)));
}
