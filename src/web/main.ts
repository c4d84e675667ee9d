/** The web UI shell: header with the SIMULATED banner and the API key field, and a hash router. */
import './style.css';
import { apiKey, detectSimulated, setApiKey } from './api.js';
import { h, replaceChildren } from './dom.js';
import { memoryView } from './views/memory-view.js';
import { runsView } from './views/runs-view.js';
import { segmentView } from './views/segment-view.js';

const routes: Record<string, { title: string; view: (argument: string) => HTMLElement }> = {
  segment: { title: 'Segment', view: () => segmentView() },
  runs: { title: 'Runs', view: (argument) => runsView(argument) },
  memory: { title: 'Memory', view: () => memoryView() },
};

const root = document.querySelector('#app') ?? document.body;
const banner = h('div', { class: 'sim-banner', hidden: true, 'data-testid': 'sim-banner', role: 'status' }, 'SIMULATED backends — every number here comes from SynthWorld’s simulated MLLM, segmenter and embeddings servers, not from a real model.');
const navigation = h('nav', {}, ...Object.entries(routes).map(([name, route]) => h('a', { href: `#/${name}`, 'data-route': name }, route.title)));
const keyInput = h('input', { type: 'password', placeholder: 'API key (none in --dev)', value: apiKey(), 'aria-label': 'API key', 'data-testid': 'api-key' });
keyInput.addEventListener('change', () => {
  setApiKey(keyInput.value);
  route();
  void showSimulated();
});
const main = h('main', {});
replaceChildren(root, banner, h('header', {}, h('h1', {}, 'mmevolve'), navigation, keyInput), main);

function route(): void {
  const [name = 'segment', ...rest] = location.hash.replace(/^#\/?/u, '').split('/');
  const chosen = routes[name] ?? routes['segment'];
  for (const link of Array.from(navigation.querySelectorAll('a'))) link.classList.toggle('active', link.getAttribute('data-route') === name);
  if (chosen !== undefined) replaceChildren(main, chosen.view(rest.map(decodeURIComponent).join('/')));
}

window.addEventListener('hashchange', route);
route();
/** The banner follows the server: asked again when the key changes (a key may be needed to see the models). */
async function showSimulated(): Promise<void> {
  const simulated = await detectSimulated();
  banner.hidden = !simulated;
  document.body.classList.toggle('simulated', simulated);
  document.title = simulated ? 'mmevolve — SIMULATED' : 'mmevolve';
}

void showSimulated();
