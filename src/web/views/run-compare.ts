/** Two runs side by side: scores and costs with their difference, and per-sample IoU paired by sample id. */
import { apiJson, describeError } from '../api.js';
import { formatNumber, h, replaceChildren } from '../dom.js';
import { runReportSchema } from '../../server/api-schemas.js';
import type { SegmentationSummaryResponse as WebSegmentationSummary } from '../../server/api-schemas.js';
import { scatter } from './run-plots.js';

async function summaryOf(id: string): Promise<{ title: string; simulated: boolean; summary: WebSegmentationSummary }> {
  const report = runReportSchema.parse(await apiJson(`/v1/runs/${encodeURIComponent(id)}/report`));
  if (report.summary.kind !== 'segmentation') throw new Error(`run ${id} is a ${report.summary.kind} run; only segmentation runs are compared here`);
  return { title: report.title, simulated: report.simulated, summary: report.summary };
}

function row(label: string, left: number | null, right: number | null, digits: number, scale = 1): HTMLElement {
  const show = (value: number | null) => (value === null ? '—' : formatNumber(value * scale, digits));
  const delta = left === null || right === null ? '—' : `${right - left >= 0 ? '+' : ''}${formatNumber((right - left) * scale, digits)}`;
  return h('tr', {}, h('th', {}, label), h('td', {}, show(left)), h('td', {}, show(right)), h('td', {}, delta));
}

export function runComparison(leftId: string, rightId: string): HTMLElement {
  const body = h('div', { 'data-testid': 'run-compare' }, 'loading…');
  void Promise.all([summaryOf(leftId), summaryOf(rightId)]).then(
    ([left, right]) => {
      const a = left.summary;
      const b = right.summary;
      const rightById = new Map(b.perSample.map((sample) => [sample.id, sample]));
      const paired = a.perSample.flatMap((sample) => {
        const other = rightById.get(sample.id);
        return other === undefined ? [] : [{ id: sample.id, left: sample.iou, right: other.iou }];
      });
      const better = paired.filter((pair) => pair.right > pair.left + 1e-9).length;
      const worse = paired.filter((pair) => pair.right < pair.left - 1e-9).length;
      const simulated = left.simulated || right.simulated ? ' (SIMULATED)' : '';
      replaceChildren(
        body,
        h(
          'table',
          { class: 'summary' },
          h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, `A: ${leftId}`), h('th', {}, `B: ${rightId}`), h('th', {}, 'B − A'))),
          h('tr', {}, h('th', {}, 'report'), h('td', {}, left.title), h('td', {}, right.title), h('td', {}, '')),
          row('samples', a.n, b.n, 0),
          row('gIoU (%)', a.scores.giou, b.scores.giou, 2, 100),
          row('cIoU (%)', a.scores.ciou, b.scores.ciou, 2, 100),
          row('short gIoU (%)', a.scores.subsets.short.giou, b.scores.subsets.short.giou, 2, 100),
          row('long gIoU (%)', a.scores.subsets.long.giou, b.scores.subsets.long.giou, 2, 100),
          row('calls / sample', a.costs.callsPerSample, b.costs.callsPerSample, 2),
          row('prompt tokens / sample', a.costs.promptTokensPerSample, b.costs.promptTokensPerSample, 0),
          row('wall ms / sample', a.costs.wallMsPerSample, b.costs.wallMsPerSample, 0),
        ),
        h('p', {}, `${paired.length} samples in both runs: B better on ${better}, worse on ${worse}, equal on ${paired.length - better - worse}.`),
        h('div', { class: 'plots' }, h('figure', {}, scatter(`Per-sample IoU, A vs B${simulated}`, 'IoU of A', 'IoU of B', [{ name: 'sample', colour: '#2463eb', points: paired.map((pair) => ({ x: pair.left, y: pair.right, label: pair.id })) }], 'compare-scatter', { x: [0, 1], y: [0, 1], diagonal: true }))),
        h(
          'table',
          { 'data-testid': 'compare-samples' },
          h('thead', {}, h('tr', {}, h('th', {}, 'sample'), h('th', {}, 'IoU A'), h('th', {}, 'IoU B'), h('th', {}, 'B − A'))),
          h('tbody', {}, ...paired.map((pair) => h('tr', {}, h('td', {}, pair.id), h('td', {}, formatNumber(pair.left)), h('td', {}, formatNumber(pair.right)), h('td', {}, formatNumber(pair.right - pair.left))))),
        ),
      );
    },
    (error: unknown) => replaceChildren(body, h('div', { class: 'error', role: 'alert' }, describeError(error))),
  );
  return h('div', { class: 'view compare-view' }, h('h2', {}, h('a', { href: '#/runs' }, 'Runs'), ' / compare'), body);
}
