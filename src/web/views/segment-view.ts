/**
 * Segment: choose or drop an image, type a query, pick a method, POST /v1/segment with
 * `Accept: text/event-stream`, and watch the population, fights, fitness per generation and the final
 * arbitration arrive; then the final mask, with downloads of the mask PNG and the trace.
 */
import { apiFetch, describeError } from '../api.js';
import { download, formatNumber, h, pngImage, replaceChildren } from '../dom.js';
import { overlayCanvas } from '../rle.js';
import type { CocoRle } from '../rle.js';
import { applyEvent, initialSegmentState } from '../segment-state.js';
import type { FightCard, PhraseCard, SegmentState } from '../segment-state.js';
import { readEventStream } from '../sse.js';
import { fitnessChart } from './fitness-chart.js';

const METHODS = [
  ['evol', 'evol — evolutionary search (EVOL-SAM3)'],
  ['single', 'single — one phrase'],
  ['box', 'box — MLLM box prompt'],
  ['agent', 'agent — SAM 3 Agent baseline'],
  ['concept-only', 'concept-only — raw query to SAM 3, no MLLM'],
] as const;

const GREEN: [number, number, number] = [40, 200, 90];
const ORANGE: [number, number, number] = [245, 140, 20];
const BLUE: [number, number, number] = [50, 120, 240];

export function segmentView(): HTMLElement {
  let file: File | undefined;
  let image: HTMLImageElement | undefined;
  let state: SegmentState = initialSegmentState();
  let controller: AbortController | undefined;
  const thumbnails = new Map<string, HTMLCanvasElement>();

  const preview = h('div', { class: 'preview empty', 'data-testid': 'preview' }, 'Drop an image here or choose one');
  const fileInput = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', 'data-testid': 'image-input' });
  const queryInput = h('input', { type: 'text', placeholder: 'e.g. the red object left of the largest circle', 'data-testid': 'query-input', class: 'grow' });
  const methodSelect = h('select', { 'data-testid': 'method-select' }, ...METHODS.map(([value, label]) => h('option', { value }, label)));
  const runButton = h('button', { class: 'primary', type: 'submit', 'data-testid': 'segment-run' }, 'Segment');
  const stopButton = h('button', { type: 'button', disabled: true }, 'Stop');
  const progress = h('section', { class: 'progress', 'data-testid': 'segment-progress' });
  const result = h('section', { class: 'result', 'data-testid': 'segment-result' });

  function thumbnail(key: string, rle: CocoRle | undefined, colour: [number, number, number], size: number): HTMLElement {
    if (image === undefined || rle === undefined) return h('div', { class: 'thumb placeholder' }, rle === undefined ? 'mask pending' : '');
    const cacheKey = `${key}|${size}|${colour.join(',')}`;
    let cached = thumbnails.get(cacheKey);
    if (cached === undefined) {
      cached = overlayCanvas(image, rle, colour, size);
      thumbnails.set(cacheKey, cached);
    }
    // A node lives in one place only: the same phrase may fight several times, so each use gets a copy.
    const copy = h('canvas', { width: cached.width, height: cached.height, class: 'thumb' });
    copy.getContext('2d')?.drawImage(cached, 0, 0);
    return copy;
  }

  function rleOf(phrase: string): CocoRle | undefined {
    return [...state.phrases].reverse().find((card) => card.phrase === phrase && card.rle !== undefined)?.rle;
  }

  function phraseCard(card: PhraseCard): HTMLElement {
    const badge = card.passed === undefined ? '' : card.passed ? 'passed' : 'failed';
    return h(
      'div',
      { class: `phrase-card ${badge}`, 'data-testid': 'phrase-card' },
      thumbnail(`${card.generation}:${card.phrase}`, card.rle, GREEN, 120),
      h('div', { class: 'phrase' }, card.phrase),
      h('div', { class: 'meta' }, `gen ${card.generation} · conf ${card.confidence === undefined ? '—' : formatNumber(card.confidence, 2)} · area ${card.area ?? '—'}`),
      badge === '' ? null : h('div', { class: `badge ${badge}` }, `${badge}${card.reason === undefined ? '' : ` (${card.reason})`}`),
    );
  }

  function fightCard(fight: FightCard): HTMLElement {
    const side = (phrase: string, role: 'champion' | 'challenger', colour: [number, number, number]) =>
      h('figure', { class: fight.winner === role ? 'winner' : '' }, thumbnail(`fight:${role}:${phrase}`, rleOf(phrase), colour, 140), h('figcaption', {}, `${role}: ${phrase}`));
    return h(
      'div',
      { class: 'fight-card', 'data-testid': 'fight-card' },
      h('div', { class: 'fight-pair' }, side(fight.champion, 'champion', BLUE), h('span', { class: 'versus' }, 'vs'), side(fight.challenger, 'challenger', ORANGE)),
      h('div', { class: 'verdict' }, `gen ${fight.generation} · winner: ${fight.winner}${fight.verdict === undefined ? '' : ` (verdict ${fight.verdict})`}`),
      fight.reason === undefined ? null : h('div', { class: 'reason' }, fight.reason),
    );
  }

  function render(): void {
    const running = state.status === 'running';
    runButton.disabled = running;
    stopButton.disabled = !running;
    replaceChildren(
      progress,
      h('div', { class: `stage ${state.status}`, 'data-testid': 'segment-stage' }, running ? h('span', { class: 'spinner' }) : null, `${state.status}${state.stage === '' ? '' : ` · ${state.stage}`}`),
      state.error === undefined ? null : h('div', { class: 'error', role: 'alert' }, state.error),
      state.population.length === 0 ? null : h('div', { class: 'population-line' }, h('strong', {}, 'Population: '), state.population.join(' · ')),
      state.phrases.length === 0 ? null : h('h3', {}, `Evaluated phrases (${state.phrases.length})`),
      h('div', { class: 'phrase-grid' }, ...state.phrases.map(phraseCard)),
      state.fights.length === 0 ? null : h('h3', {}, `Fights (${state.fights.length})`),
      h('div', { class: 'fight-list' }, ...state.fights.map(fightCard)),
      state.generations.length === 0 ? null : h('h3', {}, 'Fitness per generation'),
      state.generations.length === 0 ? null : fitnessChart(state.generations),
      state.arbitration === undefined ? null : h('div', { class: 'arbitration', 'data-testid': 'arbitration' }, h('strong', {}, 'Final arbitration: '), `${state.arbitration.decision}${state.arbitration.reason === undefined ? '' : ` (${state.arbitration.reason})`}`),
    );
    renderResult();
  }

  function renderResult(): void {
    const outcome = state.outcome;
    if (outcome === undefined) {
      replaceChildren(result);
      return;
    }
    const picture = pngImage(outcome.overlayPng, 'final mask overlay', 'final');
    picture.setAttribute('data-testid', 'final-mask');
    const area = outcome.response.mask.area;
    replaceChildren(
      result,
      h('h3', {}, 'Final mask'),
      picture,
      h('div', { class: 'meta' }, `${outcome.phrase === undefined ? '' : `phrase "${outcome.phrase}" · `}${area} pixels`),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => void downloadMask(), 'data-testid': 'download-mask' }, 'Download mask PNG'),
        h('button', { type: 'button', onclick: () => download('trace.json', JSON.stringify(outcome.trace, null, 2)), 'data-testid': 'download-trace' }, 'Download trace'),
      ),
    );
  }

  async function downloadMask(): Promise<void> {
    const outcome = state.outcome;
    if (outcome === undefined) return;
    download('mask.png', await (await fetch(`data:image/png;base64,${outcome.maskPng}`)).blob());
  }

  function choose(chosen: File | undefined): void {
    if (chosen === undefined) return;
    file = chosen;
    thumbnails.clear();
    const loaded = new Image();
    loaded.onload = () => {
      image = loaded;
      render();
    };
    loaded.src = URL.createObjectURL(chosen);
    loaded.alt = chosen.name;
    preview.classList.remove('empty');
    replaceChildren(preview, loaded);
  }

  async function run(): Promise<void> {
    if (file === undefined || queryInput.value.trim() === '') {
      state = { ...initialSegmentState(), status: 'failed', error: 'Choose an image and type a query first.' };
      render();
      return;
    }
    controller = new AbortController();
    thumbnails.clear();
    state = { ...initialSegmentState(), status: 'running', stage: 'sending' };
    render();
    const form = new FormData();
    form.set('image', file);
    form.set('query', queryInput.value.trim());
    form.set('method', methodSelect.value);
    try {
      const response = await apiFetch('/v1/segment', { method: 'POST', body: form, headers: { Accept: 'text/event-stream' }, signal: controller.signal });
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        state = applyEvent(state, 'result', await response.json());
      } else {
        for await (const event of readEventStream(response, controller.signal)) {
          let data: unknown = event.data;
          try {
            data = JSON.parse(event.data);
          } catch {
            // A non-JSON payload is kept as text; applyEvent ignores what it cannot read.
          }
          state = applyEvent(state, event.event, data);
          render();
        }
      }
      if (state.status === 'running') state = { ...state, status: 'failed', error: 'the stream ended without a result' };
    } catch (error) {
      state = controller.signal.aborted ? { ...state, status: 'failed', error: 'stopped' } : { ...state, status: 'failed', error: describeError(error) };
    }
    render();
  }

  preview.addEventListener('dragover', (event) => {
    event.preventDefault();
    preview.classList.add('dragging');
  });
  preview.addEventListener('dragleave', () => preview.classList.remove('dragging'));
  preview.addEventListener('drop', (event) => {
    event.preventDefault();
    preview.classList.remove('dragging');
    choose(event.dataTransfer?.files[0]);
  });
  preview.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => choose(fileInput.files?.[0]));
  stopButton.addEventListener('click', () => controller?.abort());
  const form = h('form', { class: 'segment-form' }, h('div', { class: 'row' }, fileInput, methodSelect), h('div', { class: 'row' }, queryInput, runButton, stopButton));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  render();
  return h('div', { class: 'view segment-view' }, h('h2', {}, 'Segment'), h('div', { class: 'columns' }, h('div', { class: 'left' }, form, preview, result), h('div', { class: 'right' }, progress)));
}

