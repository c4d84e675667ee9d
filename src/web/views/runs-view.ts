/**
 * Runs: the tenant's evaluations (GET /v1/runs) with state and progress, a form to start one
 * (POST /v1/runs), one run's report (GET /v1/runs/:id/report: scores, costs, samples; its SVG plots from
 * /files; live state over GET /v1/runs/:id/events while it runs), one sample's trace
 * (GET /v1/runs/:id/traces/:sample), two runs compared, and the distributed runs of `eval --queue` with
 * progress across workers (distributed-runs.ts). Routes: #/runs, #/runs/<id>, #/runs/compare/<a>/<b>.
 */
import { apiFetch, apiJson, describeError } from '../api.js';
import { formatNumber, h, replaceChildren } from '../dom.js';
import { runListSchema, runProgressEventSchema, runRecordSchema, runReportSchema } from '../../server/api-schemas.js';
import type { RunRecordResponse as WebRunRecord, SegmentationSummaryResponse as WebSegmentationSummary } from '../../server/api-schemas.js';
import { readEventStream } from '../sse.js';
import { distributedRunsSection } from './distributed-runs.js';
import { iouHistogram, iouVersusCalls } from './run-plots.js';
import { runComparison } from './run-compare.js';
import { sampleDetail } from './run-sample.js';

const percent = (value: number | null): string => (value === null ? '—' : (value * 100).toFixed(2));

function progressText(run: WebRunRecord): string {
  return `${run.progress.done}/${run.progress.total}${run.progress.metric === '' ? '' : ` · ${run.progress.metric}`}`;
}

function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}` }, state);
}

export function runsView(argument: string): HTMLElement {
  const [first = '', second = '', third = ''] = argument.split('/');
  if (first === 'compare' && second !== '' && third !== '') return runComparison(second, third);
  if (first !== '') return runDetail(first);
  return runList();
}

function runList(): HTMLElement {
  const status = h('div', { class: 'status', 'data-testid': 'runs-status' }, 'loading…');
  const table = h('table', { 'data-testid': 'runs-table' });
  const chosen = new Set<string>();
  const compareButton = h('button', { type: 'button', disabled: true, 'data-testid': 'runs-compare' }, 'Compare 2 selected');
  compareButton.addEventListener('click', () => {
    const [left, right] = [...chosen];
    if (left !== undefined && right !== undefined) location.hash = `#/runs/compare/${encodeURIComponent(left)}/${encodeURIComponent(right)}`;
  });

  async function load(): Promise<void> {
    try {
      const { runs } = runListSchema.parse(await apiJson('/v1/runs'));
      replaceChildren(status, runs.length === 0 ? 'No runs yet: start one below, or with `npm run demo`.' : `${runs.length} run${runs.length === 1 ? '' : 's'}`);
      replaceChildren(
        table,
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'run'), h('th', {}, 'state'), h('th', {}, 'method'), h('th', {}, 'dataset'), h('th', {}, 'progress'), h('th', {}, 'created'))),
        h(
          'tbody',
          {},
          ...runs.map((run) => {
            const box = h('input', { type: 'checkbox', 'aria-label': `select ${run.id} for comparison` });
            box.addEventListener('click', (event) => event.stopPropagation());
            box.addEventListener('change', () => {
              if (box.checked) chosen.add(run.id);
              else chosen.delete(run.id);
              compareButton.disabled = chosen.size !== 2;
            });
            return h(
              'tr',
              { class: 'clickable', 'data-testid': 'run-row', 'data-id': run.id, onclick: () => (location.hash = `#/runs/${encodeURIComponent(run.id)}`) },
              h('td', {}, box),
              h('td', {}, run.id),
              h('td', {}, stateBadge(run.state)),
              h('td', {}, run.method),
              h('td', {}, run.dataset),
              h('td', {}, progressText(run)),
              h('td', {}, run.createdAt.replace('T', ' ').slice(0, 19)),
            );
          }),
        ),
      );
    } catch (error) {
      replaceChildren(status, h('span', { class: 'error', role: 'alert' }, describeError(error)));
    }
  }

  const dataset = h('input', { type: 'text', placeholder: 'dataset folder on the server (e.g. dataset)', class: 'grow', 'data-testid': 'run-dataset' });
  const method = h('select', {}, ...['evol', 'single', 'box', 'agent', 'concept-only'].map((name) => h('option', { value: name }, name)));
  const limit = h('input', { type: 'number', min: 1, placeholder: 'limit', style: 'width: 90px' });
  const start = async () => {
    try {
      const body: Record<string, unknown> = { dataset: dataset.value.trim(), method: method.value };
      if (limit.value !== '') body['limit'] = Number(limit.value);
      const created = runRecordSchema.parse(await apiJson('/v1/runs', { method: 'POST', json: body }));
      location.hash = `#/runs/${encodeURIComponent(created.id)}`;
    } catch (error) {
      replaceChildren(status, h('span', { class: 'error', role: 'alert' }, describeError(error)));
    }
  };
  void load();
  return h(
    'div',
    { class: 'view runs-view' },
    h('h2', {}, 'Runs'),
    status,
    table,
    h('div', { class: 'row' }, compareButton, h('button', { type: 'button', onclick: () => void load() }, 'Refresh')),
    distributedRunsSection(),
    h('div', { class: 'panel' }, h('h4', {}, 'Start an evaluation'), h('div', { class: 'row' }, dataset, method, limit, h('button', { type: 'button', class: 'primary', onclick: () => void start() }, 'Start'))),
  );
}

function summaryTable(summary: WebSegmentationSummary): HTMLElement {
  const { scores, costs } = summary;
  return h(
    'table',
    { class: 'summary', 'data-testid': 'run-summary' },
    h('tr', {}, h('th', {}, 'samples'), h('td', {}, `${summary.n} (${summary.finished} finished, ${summary.failed} failed)`)),
    h('tr', {}, h('th', {}, 'gIoU / cIoU'), h('td', {}, `${percent(scores.giou)} / ${percent(scores.ciou)}`)),
    h('tr', {}, h('th', {}, 'short (phrase)'), h('td', {}, `${percent(scores.subsets.short.giou)} / ${percent(scores.subsets.short.ciou)} (n=${scores.subsets.short.n})`)),
    h('tr', {}, h('th', {}, 'long (sentence)'), h('td', {}, `${percent(scores.subsets.long.giou)} / ${percent(scores.subsets.long.ciou)} (n=${scores.subsets.long.n})`)),
    h('tr', {}, h('th', {}, 'calls / sample'), h('td', {}, formatNumber(costs.callsPerSample, 2))),
    h('tr', {}, h('th', {}, 'tokens / sample'), h('td', {}, `${Math.round(costs.promptTokensPerSample)} prompt + ${Math.round(costs.completionTokensPerSample)} completion`)),
    h('tr', {}, h('th', {}, 'wall / sample'), h('td', {}, `${Math.round(costs.wallMsPerSample)} ms`)),
  );
}

function svgFigure(name: string, blob: Blob): HTMLElement {
  // An <img> of a blob URL: the SVG is shown as a picture, its scripts (if any) never run.
  return h('figure', {}, h('img', { src: URL.createObjectURL(blob), alt: name, 'data-testid': 'run-plot' }), h('figcaption', { class: 'meta' }, name));
}

/** A report plot fetched with the API key (an <img src> could not send it). */
async function plotImage(id: string, name: string): Promise<HTMLElement | null> {
  try {
    const response = await apiFetch(`/v1/runs/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`);
    return svgFigure(name, new Blob([await response.text()], { type: 'image/svg+xml' }));
  } catch {
    // Reports are written when a run ends: an unfinished run has no plot files, so the page draws its own.
    return null;
  }
}

function runDetail(id: string): HTMLElement {
  const header = h('div', { 'data-testid': 'run-header' }, 'loading…');
  const report = h('section', { 'data-testid': 'run-report' });
  const sample = h('section', { class: 'panel', 'data-testid': 'run-sample', hidden: true });
  const controller = new AbortController();
  let run: WebRunRecord | undefined;

  function renderHeader(): void {
    if (run === undefined) return;
    const current = run;
    const cancel = async () => {
      try {
        run = runRecordSchema.parse(await apiJson(`/v1/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }));
        renderHeader();
      } catch (error) {
        replaceChildren(report, h('div', { class: 'error' }, describeError(error)));
      }
    };
    replaceChildren(
      header,
      h('div', { class: 'row' }, stateBadge(current.state), h('strong', {}, `${current.method} on ${current.dataset}`), h('span', { class: 'meta' }, `${progressText(current)} · created ${current.createdAt}`)),
      current.error === undefined ? null : h('div', { class: 'error' }, `${current.error.message} — ${current.error.hint}`),
      current.state === 'running' || current.state === 'queued' ? h('button', { type: 'button', class: 'danger', onclick: () => void cancel() }, 'Cancel') : null,
    );
  }

  async function loadReport(): Promise<void> {
    try {
      const parsed = runReportSchema.parse(await apiJson(`/v1/runs/${encodeURIComponent(id)}/report`));
      const summary = parsed.summary;
      const suffix = parsed.simulated ? ' (SIMULATED)' : '';
      const plotImages = await Promise.all(parsed.plots.filter((name) => name.endsWith('.svg')).map((name) => plotImage(id, name)));
      if (summary.kind !== 'segmentation') {
        replaceChildren(report, h('h3', {}, parsed.title), h('p', { class: 'muted' }, 'This report is not a segmentation report; its raw summary:'), h('pre', {}, JSON.stringify(summary, null, 2)));
        return;
      }
      const samples = summary.perSample;
      replaceChildren(
        report,
        h('h3', { 'data-testid': 'run-title' }, parsed.title),
        parsed.simulated ? h('div', { class: 'badge failed' }, 'SIMULATED: these numbers describe the simulation, never a real model') : null,
        summaryTable(summary),
        h('h4', {}, 'Plots'),
        h(
          'div',
          { class: 'plots' },
          ...(plotImages.some((image) => image !== null) ? plotImages : [h('figure', {}, iouHistogram(summary, suffix)), h('figure', {}, iouVersusCalls(summary, suffix))]),
        ),
        parsed.warnings.length === 0 ? null : h('ul', { class: 'meta' }, ...parsed.warnings.map((warning) => h('li', {}, warning))),
        h('h4', {}, `Samples (${samples.length})`),
        h(
          'table',
          { 'data-testid': 'run-samples' },
          h('thead', {}, h('tr', {}, h('th', {}, 'sample'), h('th', {}, 'query kind'), h('th', {}, 'IoU'), h('th', {}, 'calls'), h('th', {}, 'status'))),
          h(
            'tbody',
            {},
            ...samples.map((entry) =>
              h(
                'tr',
                { class: 'clickable', 'data-testid': 'sample-row', onclick: () => void showSample(entry.id, entry.iou) },
                h('td', {}, entry.id),
                h('td', {}, entry.isSentence ? 'long (sentence)' : 'short (phrase)'),
                h('td', {}, formatNumber(entry.iou)),
                h('td', {}, entry.calls),
                h('td', {}, entry.status),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replaceChildren(report, h('div', { class: 'muted', 'data-testid': 'run-report-missing' }, `No report yet: ${describeError(error)}`));
    }
  }

  async function showSample(sampleId: string, iou: number): Promise<void> {
    sample.hidden = false;
    replaceChildren(sample, h('h4', {}, `Sample ${sampleId}`), 'loading…');
    try {
      const body: unknown = await apiJson(`/v1/runs/${encodeURIComponent(id)}/traces/${encodeURIComponent(sampleId)}`);
      replaceChildren(sample, h('h4', {}, `Sample ${sampleId}`), sampleDetail(body, iou, { runId: id, sampleId }));
    } catch (error) {
      replaceChildren(sample, h('h4', {}, `Sample ${sampleId}`), h('div', { class: 'error' }, describeError(error)));
    }
    sample.scrollIntoView({ block: 'nearest' });
  }

  /** While the run is live, follow its events; reload the report when it ends. */
  async function follow(): Promise<void> {
    try {
      const response = await apiFetch(`/v1/runs/${encodeURIComponent(id)}/events`, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
      for await (const event of readEventStream(response, controller.signal)) {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          continue;
        }
        // The two events of GET /v1/runs/{id}/events: `state` carries the run record, `progress` the counts.
        if (event.event === 'state') run = runRecordSchema.parse(data);
        else if (event.event === 'progress' && run !== undefined) {
          const { done, total, metric } = runProgressEventSchema.parse(data);
          run = { ...run, progress: { done, total, metric } };
        }
        renderHeader();
        if (run !== undefined && ['done', 'failed', 'cancelled'].includes(run.state)) break;
      }
    } catch (error) {
      if (!controller.signal.aborted) replaceChildren(report, h('div', { class: 'error' }, describeError(error)));
      return;
    }
    if (!controller.signal.aborted) await loadReport();
  }

  void (async () => {
    try {
      run = runRecordSchema.parse(await apiJson(`/v1/runs/${encodeURIComponent(id)}`));
      renderHeader();
    } catch (error) {
      replaceChildren(header, h('div', { class: 'error', role: 'alert' }, describeError(error)));
      return;
    }
    if (run.state === 'running' || run.state === 'queued') {
      window.addEventListener('hashchange', () => controller.abort(), { once: true });
      await follow();
    } else {
      await loadReport();
    }
  })();
  return h('div', { class: 'view run-view' }, h('h2', {}, h('a', { href: '#/runs' }, 'Runs'), ` / ${id}`), header, report, sample);
}
