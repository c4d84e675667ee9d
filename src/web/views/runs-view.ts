/** Runs: evaluations on the server (GET /v1/runs), one run's report, and two runs compared. */
import { apiJson, describeError } from '../api.js';
import { h, replaceChildren } from '../dom.js';

export function runsView(argument: string): HTMLElement {
  const body = h('div', { 'data-testid': 'runs-body' }, 'loading…');
  void apiJson('/v1/runs').then(
    (runs) => replaceChildren(body, h('pre', {}, JSON.stringify(runs, null, 2))),
    (error: unknown) => replaceChildren(body, h('div', { class: 'error' }, describeError(error))),
  );
  return h('div', { class: 'view runs-view' }, h('h2', {}, argument === '' ? 'Runs' : `Run ${argument}`), body);
}
