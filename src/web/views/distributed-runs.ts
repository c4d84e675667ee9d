/**
 * Distributed runs (`mmevolve eval --queue`) in the runs view: each run's done/failed/planned samples, ETA
 * and its workers (live, lost, stopped; jobs in hand, samples recorded), from GET /v1/distributed-runs,
 * refreshed every few seconds while shown. The section stays hidden where the server offers no such
 * runs (runs in a folder: `offered: false`) or the key may not read them (admin scope: 403).
 */
import { ApiError, apiJson, describeError } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { distributedRunListSchema } from '../../server/api-schemas.js';
import type { DistributedRunResponse } from '../../server/api-schemas.js';

const REFRESH_MS = 3000;

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '—';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${whole}s`;
}

type Worker = DistributedRunResponse['workers'][number];

function workerLine(worker: Worker): HTMLElement {
  const silence = worker.state === 'lost' && worker.silentSeconds !== undefined ? ` (silent ${formatEta(worker.silentSeconds)})` : '';
  return h(
    'li',
    { 'data-testid': 'distributed-worker', 'data-state': worker.state },
    h('span', { class: `badge worker-${worker.state}` }, worker.state),
    ` ${worker.id}${silence} · ${worker.inHand} in hand · ${worker.recorded} recorded${worker.concurrency === undefined ? '' : ` · concurrency ${worker.concurrency}`}`,
  );
}

function runRow(run: DistributedRunResponse): HTMLElement {
  const live = run.workers.filter((worker) => worker.state === 'live').length;
  const lost = run.workers.filter((worker) => worker.state === 'lost').length;
  const complete = run.done >= run.planned;
  return h(
    'tr',
    { 'data-testid': 'distributed-run', 'data-id': run.id },
    h('td', {}, run.id, run.simulated ? h('div', { class: 'meta' }, 'SIMULATED') : null),
    h('td', {}, run.method),
    h('td', {}, run.dataset),
    h('td', { 'data-testid': 'distributed-progress' }, `${run.done}/${run.planned}${run.failed > 0 ? ` (${run.failed} failed)` : ''}`),
    h('td', { 'data-testid': 'distributed-eta' }, complete ? 'done' : formatEta(run.etaSeconds)),
    h('td', {}, h('div', {}, `${live} live${lost > 0 ? `, ${lost} lost` : ''}`), h('ul', { class: 'workers' }, ...run.workers.map(workerLine))),
  );
}

export function distributedRunsSection(): HTMLElement {
  const body = h('div', {});
  const section = h('section', { class: 'panel', 'data-testid': 'distributed-runs', hidden: true }, h('h4', {}, 'Distributed runs (eval --queue)'), body);
  async function load(): Promise<void> {
    // The view was left (another route replaced it): stop refreshing.
    if (!section.isConnected) return;
    try {
      const { runs, lostAfterSeconds } = distributedRunListSchema.parse(await apiJson('/v1/distributed-runs'));
      section.hidden = runs.length === 0;
      replaceChildren(
        body,
        h('p', { class: 'meta' }, `Progress across all workers; a worker silent for more than ${lostAfterSeconds} s is shown lost.`),
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, h('th', {}, 'run'), h('th', {}, 'method'), h('th', {}, 'dataset'), h('th', {}, 'samples'), h('th', {}, 'ETA'), h('th', {}, 'workers'))),
          h('tbody', {}, ...runs.map(runRow)),
        ),
      );
      if (runs.some((run) => run.done < run.planned)) setTimeout(() => void load(), REFRESH_MS);
    } catch (error) {
      // No such runs on this server, or not for this key: the section stays hidden.
      if (error instanceof ApiError && error.status === 403) return;
      section.hidden = false;
      replaceChildren(body, h('div', { class: 'error', role: 'alert' }, describeError(error)));
    }
  }
  // The view mounts it synchronously (main.ts), so it is in the page by the first load.
  setTimeout(() => void load(), 0);
  return section;
}
