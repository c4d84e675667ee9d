/** report.md for segmentation and VQA runs, from the recomputed summaries (numbers only from results.jsonl). */
import type { RunReport } from './report.js';
import type { CostSummary, SegmentationSummary } from './segmentation-summary.js';
import type { AccuracyCell, VqaSummary } from './vqa-summary.js';

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(2)}`;
}

function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function heading(report: RunReport): string[] {
  const { run } = report;
  const lines = [`# ${report.title}`, ''];
  if (report.simulated) {
    lines.push('> SIMULATED: the dataset or the backends are simulated (SynthWorld). These numbers describe the simulation, never a real model\'s quality.', '');
  }
  lines.push(
    ...table(
      ['field', 'value'],
      [
        ['command', run.command],
        ['method', run.method],
        ['dataset', run.dataset],
        ['settings', settingsText(run.settings)],
        ['backends', Object.entries(run.backends).map(([role, model]) => `${role}: ${model}`).join(', ') || '-'],
        ['started', run.started],
        ['fingerprint', run.fingerprint],
      ],
    ),
    '',
  );
  return lines;
}

/** Scalars inline; nested settings (a whole resolved config) are in report.json. */
function settingsText(settings: Record<string, unknown>): string {
  const parts = Object.entries(settings).map(([key, value]) => (value !== null && typeof value === 'object' ? `${key}: (see report.json)` : `${key}: ${String(value)}`));
  return parts.join(', ') || '-';
}

/** Fresh calls and cache hits apart: a run mostly served from the cache must not read as cheap or fast. */
export function cacheSplitLines(costs: CostSummary): string[] {
  const { fresh, cached, wall } = costs;
  const ms = (value: number | null): string => (value === null ? '-' : `${fixed(value, 1)} ms`);
  return [
    ...table(
      ['per finished sample', 'fresh calls (spent now)', 'cache hits (not spent now)'],
      [
        ['calls', fixed(fresh.callsPerSample), fixed(cached.callsPerSample)],
        ['tokens (prompt + completion)', fixed(fresh.promptTokensPerSample + fresh.completionTokensPerSample, 1), `${fixed(cached.tokensPerSample, 1)} (what the cached answers cost when fresh)`],
        ['wall time', `${ms(wall.freshMsPerSample)} over ${wall.freshSamples} sample(s) with no cache hit`, `${ms(wall.cachedMsPerSample)} over ${wall.cachedSamples} sample(s) with cache hits`],
      ],
    ),
    '',
  ];
}

function costLines(costs: CostSummary): string[] {
  const lines = [
    `## Calls, tokens and latency (mean per finished sample, n = ${costs.samples})`,
    '',
    ...cacheSplitLines(costs),
    'Per stage: calls count fresh calls and cache hits; tokens and latency are spent by fresh calls only.',
    '',
    ...table(
      ['stage', 'calls', 'prompt tokens (fresh)', 'completion tokens (fresh)', 'latency ms (summed)', 'cache hits', 'failed calls'],
      [
        ...Object.entries(costs.byStage).map(([stage, cost]) => [stage, fixed(cost.callsPerSample), fixed(cost.promptTokensPerSample, 1), fixed(cost.completionTokensPerSample, 1), fixed(cost.latencyMsPerSample, 1), String(cost.cacheHits), String(cost.failures)]),
        ['**total**', fixed(costs.callsPerSample), fixed(costs.promptTokensPerSample, 1), fixed(costs.completionTokensPerSample, 1), fixed(costs.latencyMsPerSample, 1), fixed(costs.cached.callsPerSample * costs.samples, 0), ''],
      ],
    ),
    '',
    `Wall time per sample: ${fixed(costs.wallMsPerSample, 1)} ms over all ${costs.samples} finished sample(s) (split by cache hits above).`,
    '',
    ...table(
      ['backend', 'calls', 'prompt tokens (fresh)', 'completion tokens (fresh)', 'latency ms (summed)'],
      Object.entries(costs.byBackend).map(([role, cost]) => [role, fixed(cost.callsPerSample), fixed(cost.promptTokensPerSample, 1), fixed(cost.completionTokensPerSample, 1), fixed(cost.latencyMsPerSample, 1)]),
    ),
    '',
  ];
  return lines;
}

function failureLines(failed: number, failuresByCode: Record<string, number>): string[] {
  if (failed === 0) return ['No failed samples.', ''];
  return [`## Failures (${failed})`, '', ...table(['error code', 'samples'], Object.entries(failuresByCode).map(([code, count]) => [code, String(count)])), ''];
}

/** The final judge's measured position bias and what the double check (both orders asked) corrected. */
function judgeCheckLines(checks: SegmentationSummary['judgeChecks']): string[] {
  if (checks.doubleChecks === 0) return [];
  const decisive = checks.firstWins + checks.secondWins;
  const share = checks.firstShare === undefined ? '-' : `${fixed(checks.firstShare * 100, 1)}%`;
  const interval = checks.firstShareCi === undefined ? '' : ` (95% CI ${fixed(checks.firstShareCi[0] * 100, 1)}–${fixed(checks.firstShareCi[1] * 100, 1)}%)`;
  return [
    `## Final judge: position bias and double check (${checks.doubleChecks} samples asked in both orders)`,
    '',
    ...table(
      ['measure', 'value'],
      [
        ['first overlay won (of decisive verdicts)', `${checks.firstWins} of ${decisive}: ${share}${interval}; 50% = no position bias`],
        ['second overlay won', String(checks.secondWins)],
        ['ties', String(checks.ties)],
        ['same position won both orders', `${checks.samePositionBoth} of ${checks.doubleChecks}`],
        ['verdicts disagreeing on the mask (fallback used)', `${checks.inconsistent} of ${checks.doubleChecks}`],
        ['decision overturned by the double check', `${checks.overturned} of ${checks.doubleChecks}`],
      ],
    ),
    '',
  ];
}

function sacoLines(summary: SegmentationSummary): string[] {
  const s = summary.saco;
  if (s === undefined) return [];
  return [
    '## SA-Co/Gold (SAM 3 cgF1 evaluator; instances = connected components of the mask, oracle over annotators)',
    '',
    ...table(
      ['cgF1', 'cgF1@0.5', 'cgF1@0.75', 'pmF1', 'IL_MCC', 'IL TP', 'IL FN', 'IL TN', 'IL FP'],
      [[percent(s.cgF1), percent(s.cgF1At50), percent(s.cgF1At75), percent(s.pmF1), s.ilMcc.toFixed(2), String(s.imageLevel.TP), String(s.imageLevel.FN), String(s.imageLevel.TN), String(s.imageLevel.FP)]],
    ),
    '',
  ];
}

function grefcocoLines(summary: SegmentationSummary): string[] {
  const g = summary.grefcoco;
  if (g === undefined) return [];
  return [
    '## gRefCOCO (ReLA rules: an empty or declared-empty answer is "no target")',
    '',
    ...table(
      ['gIoU', 'cIoU', 'N-acc', 'T-acc', 'TP', 'FN', 'TN', 'FP'],
      [[percent(g.giou), percent(g.ciou), percent(g.nAcc), percent(g.tAcc), String(g.confusion.TP), String(g.confusion.FN), String(g.confusion.TN), String(g.confusion.FP)]],
    ),
    '',
  ];
}

export function segmentationMarkdown(report: RunReport, summary: SegmentationSummary): string {
  const { scores } = summary;
  const lines = [
    ...heading(report),
    `## Scores (LISA gIoU/cIoU, %; failed samples count as empty masks)`,
    '',
    ...table(
      ['subset', 'n', 'gIoU', 'cIoU'],
      [
        ['overall', String(scores.n), percent(scores.giou), percent(scores.ciou)],
        ['short', String(scores.subsets.short.n), percent(scores.subsets.short.giou), percent(scores.subsets.short.ciou)],
        ['long', String(scores.subsets.long.n), percent(scores.subsets.long.giou), percent(scores.subsets.long.ciou)],
      ],
    ),
    '',
    ...grefcocoLines(summary),
    ...sacoLines(summary),
    `Samples: ${summary.n} (${summary.finished} finished, ${summary.failed} failed).`,
    '',
    `Budget caps hit: ${summary.capped.samples} sample(s) (${summary.capped.calls} by --max-calls-per-sample, ${summary.capped.tokens} by --max-tokens-per-sample).`,
    '',
    ...failureLines(summary.failed, summary.failuresByCode),
    ...costLines(summary.costs),
    ...judgeCheckLines(summary.judgeChecks),
    '## Counters (mean per finished sample)',
    '',
    ...table(['counter', 'mean'], Object.entries(summary.countersPerSample).map(([name, value]) => [name, fixed(value)])),
    '',
    '## Plots',
    '',
    '![Per-image IoU histogram](iou-histogram.svg)',
    '',
    '![IoU vs calls](quality-vs-calls.svg)',
    '',
    ...table(
      ['IoU bin', 'samples'],
      summary.iouHistogram.counts.map((count, index) => [`${fixed(summary.iouHistogram.edges[index] ?? 0, 1)}–${fixed(summary.iouHistogram.edges[index + 1] ?? 0, 1)}`, String(count)]),
    ),
    '',
    ...warningLines(report.warnings),
  ];
  return `${lines.join('\n')}\n`;
}

function accuracyRows(cells: Record<string, AccuracyCell>): string[][] {
  return Object.entries(cells).map(([name, value]) => [name, String(value.n), String(value.correct), percent(value.accuracy)]);
}

export function vqaMarkdown(report: RunReport, summary: VqaSummary): string {
  const { lessons } = summary;
  const lines = [
    ...heading(report),
    `## Accuracy (%; failed samples count as wrong)`,
    '',
    ...table(['group', 'n', 'correct', 'accuracy'], [['overall', String(summary.accuracy.n), String(summary.accuracy.correct), percent(summary.accuracy.accuracy)]]),
    '',
    '### By subject',
    '',
    ...table(['subject', 'n', 'correct', 'accuracy'], accuracyRows(summary.bySubject)),
    '',
    '### By level',
    '',
    ...table(['level', 'n', 'correct', 'accuracy'], accuracyRows(summary.byLevel)),
    '',
  ];
  if (summary.byTrap !== undefined) lines.push('### By hidden trap (SynthWorld)', '', ...table(['trap', 'n', 'correct', 'accuracy'], accuracyRows(summary.byTrap)), '');
  lines.push(
    '## Lessons',
    '',
    ...table(
      ['stream', 'written', 'merged', 'retrieved'],
      [...Object.entries(lessons.byStream).map(([stream, counts]) => [stream, String(counts.written), String(counts.merged), String(counts.retrieved)]), ['**total**', String(lessons.written), String(lessons.merged), String(lessons.retrieved)]],
    ),
    '',
    `Retrieved per problem: ${fixed(lessons.retrievedPerProblem)}; duplicates not stored: ${lessons.duplicates}; merges rejected by the preservation check: ${lessons.mergesRejected}.`,
    '',
  );
  const precision = summary.retrievalPrecision;
  if (precision !== undefined) {
    lines.push(
      '## Retrieval precision (retrieved lessons whose source problem has the same hidden trap)',
      '',
      ...table(
        ['stream', 'judged', 'matching', 'precision'],
        [...Object.entries(precision.byStream).map(([stream, value]) => [stream, String(value.judged), String(value.matching), percent(value.precision)]), ['**total**', String(precision.judged), String(precision.matching), percent(precision.precision)]],
      ),
      '',
      `Chance level (retrieving uniformly among the lessons of the stream written so far): ${percent(precision.chance)}. Retrieved lessons with unknown source (written before this run): ${precision.unknownSource}.`,
      '',
    );
  }
  lines.push(
    `Samples: ${summary.n} (${summary.finished} finished, ${summary.failed} failed). Embedding inputs per problem: ${fixed(summary.embeddingsPerProblem.texts)} texts, ${fixed(summary.embeddingsPerProblem.images)} images.`,
    '',
    ...failureLines(summary.failed, summary.failuresByCode),
    ...costLines(summary.costs),
    '![Running accuracy along the stream](accuracy-over-stream.svg)',
    '',
    ...warningLines(report.warnings),
  );
  return `${lines.join('\n')}\n`;
}

function warningLines(warnings: readonly string[]): string[] {
  return warnings.length === 0 ? [] : ['## Warnings', '', ...warnings.map((warning) => `- ${warning}`), ''];
}
