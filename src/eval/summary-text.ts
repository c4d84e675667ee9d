/** The few lines `eval` and `eval-vqa` print when they finish (the full numbers are in RUN/report.md). */
import path from 'node:path';
import { percent } from './report-markdown.js';
import type { RunReport } from './report.js';
import type { CostSummary } from './segmentation-summary.js';

export interface RunProgressCounts {
  ran: number;
  skipped: number;
  failed: number;
  remaining: number;
}

export function formatRunSummary(report: RunReport, directory: string, counts: RunProgressCounts): string {
  const { summary } = report;
  const lines = [report.title];
  if (report.simulated) lines.push('SIMULATED: these numbers describe the simulation, never a real model.');
  lines.push(`samples: ${summary.n} in the run (${counts.ran} run now, ${counts.skipped} resumed from results.jsonl, ${summary.failed} failed${counts.remaining > 0 ? `, ${counts.remaining} not yet run` : ''})`);
  if (summary.kind === 'segmentation') {
    const { scores } = summary;
    lines.push(
      `gIoU ${percent(scores.giou)}  cIoU ${percent(scores.ciou)}  (short: ${percent(scores.subsets.short.giou)}/${percent(scores.subsets.short.ciou)} n=${scores.subsets.short.n}; long: ${percent(scores.subsets.long.giou)}/${percent(scores.subsets.long.ciou)} n=${scores.subsets.long.n})`,
    );
    if (summary.capped.samples > 0) lines.push(`budget caps hit: ${summary.capped.samples} sample(s) (calls ${summary.capped.calls}, tokens ${summary.capped.tokens})`);
    if (summary.saco !== undefined) lines.push(`SA-Co: cgF1 ${percent(summary.saco.cgF1)}  pmF1 ${percent(summary.saco.pmF1)}  IL_MCC ${summary.saco.ilMcc.toFixed(2)}`);
    const g = summary.grefcoco;
    if (g !== undefined) lines.push(`gRefCOCO: gIoU ${percent(g.giou)}  cIoU ${percent(g.ciou)}  N-acc ${percent(g.nAcc)}  T-acc ${percent(g.tAcc)}`);
  } else {
    lines.push(`accuracy ${percent(summary.accuracy.accuracy)} (${summary.accuracy.correct}/${summary.accuracy.n}); lessons written ${summary.lessons.written}, merged ${summary.lessons.merged}, retrieved ${summary.lessons.retrieved}`);
    if (summary.retrievalPrecision !== undefined) lines.push(`retrieval precision ${percent(summary.retrievalPrecision.precision)} (${summary.retrievalPrecision.matching}/${summary.retrievalPrecision.judged}; chance ${percent(summary.retrievalPrecision.chance)})`);
  }
  lines.push(
    costLine(summary.costs),
    `report: ${path.join(directory, 'report.md')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Fresh calls and cache hits apart (tokens spent are fresh only; the cache's share is said, not added). */
export function costLine(costs: CostSummary): string {
  const { fresh, cached, wall } = costs;
  const spent = (fresh.promptTokensPerSample + fresh.completionTokensPerSample).toFixed(0);
  const wallText = (value: number | null): string => (value === null ? '-' : `${value.toFixed(0)} ms`);
  if (cached.callsPerSample === 0) return `calls/sample ${fresh.callsPerSample.toFixed(2)} (all fresh), tokens spent/sample ${spent}, wall/sample ${wallText(wall.freshMsPerSample)}`;
  const saved = cached.tokensPerSample.toFixed(0);
  return [
    `calls/sample ${fresh.callsPerSample.toFixed(2)} fresh + ${cached.callsPerSample.toFixed(2)} cache hits, tokens spent/sample ${spent} (cache hits: ${saved} more, not spent now)`,
    `wall/sample ${wallText(wall.freshMsPerSample)} over ${wall.freshSamples} sample(s) with no cache hit, ${wallText(wall.cachedMsPerSample)} over ${wall.cachedSamples} with cache hits (--no-cache for fresh figures)`,
  ].join('\n');
}
