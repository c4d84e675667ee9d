/**
 * One evaluated sample from its trace file (GET /v1/runs/:id/traces/:sample: name, query, method, the
 * final mask as COCO RLE and the engine's trace): query, IoU, the dataset image and ground truth (GET
 * /v1/runs/:id/samples/:name/image and /ground-truth) beside the predicted mask, every phrase the search
 * tried with its gate verdict, each generation's fights, the final arbitration, and the raw trace.
 */
import { apiFetch, describeError, isRecord } from '../api.js';
import { formatNumber, h } from '../dom.js';
import { decodeRle } from '../rle.js';
import { sampleTraceSchema } from '../../server/api-schemas.js';
import type { CocoRle } from '../rle.js';

/** Where the run's sample lives, to fetch its image and ground truth; without it only the mask shows. */
export interface SampleSource {
  runId: string;
  sampleId: string;
}

/**
 * A PNG from the API as an <img>: fetched with the API key (an <img src> could not send it) and shown
 * from an object URL, released once drawn.
 */
function apiImage(path: string, alt: string, testId: string, caption: string): HTMLElement {
  const image = h('img', { alt, 'data-testid': testId });
  const figure = h('figure', {}, image, h('figcaption', { class: 'meta' }, caption));
  void apiFetch(path)
    .then((response) => response.blob())
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      image.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      image.src = url;
    })
    .catch((error: unknown) => {
      figure.replaceChildren(h('p', { class: 'muted' }, `${caption}: ${describeError(error)}`));
    });
  return figure;
}

/** The predicted mask alone: foreground orange on dark grey. */
function maskCanvas(rle: CocoRle, maxSide: number): HTMLCanvasElement {
  const mask = decodeRle(rle);
  const source = h('canvas', { width: mask.width, height: mask.height });
  const context = source.getContext('2d');
  if (context !== null) {
    const pixels = context.createImageData(mask.width, mask.height);
    mask.data.forEach((value, index) => pixels.data.set(value === 1 ? [245, 140, 20, 255] : [45, 50, 58, 255], index * 4));
    context.putImageData(pixels, 0, 0);
  }
  const scale = Math.min(1, maxSide / Math.max(mask.width, mask.height, 1));
  const canvas = h('canvas', { width: Math.max(1, Math.round(mask.width * scale)), height: Math.max(1, Math.round(mask.height * scale)), 'data-testid': 'sample-mask' });
  canvas.getContext('2d')?.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

const samplePath = (source: SampleSource): string => `/v1/runs/${encodeURIComponent(source.runId)}/samples/${encodeURIComponent(source.sampleId)}`;

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

export function sampleDetail(body: unknown, iou: number | undefined, source?: SampleSource): HTMLElement {
  // The file's own fields are the server's schema; the engine's trace inside differs by method, so it is read defensively.
  const file = sampleTraceSchema.parse(body);
  const trace = file.trace as unknown as Record<string, unknown>;
  const rle: CocoRle | undefined = file.rle;
  const phrases = (Array.isArray(trace['phrases']) ? trace['phrases'] : []).filter(isRecord);
  const generations = (Array.isArray(trace['generations']) ? trace['generations'] : []).filter(isRecord);
  const arbitration = isRecord(trace['arbitration']) ? trace['arbitration'] : undefined;
  const area = rle === undefined ? undefined : decodeRle(rle).data.reduce((sum, value) => sum + value, 0);
  return h(
    'div',
    { 'data-testid': 'sample-detail' },
    h('div', {}, h('strong', {}, 'Query: '), file.query, file.isSentence ? ' (long, sentence)' : ' (short, phrase)'),
    h('div', {}, h('strong', {}, 'IoU: '), iou === undefined ? '—' : formatNumber(iou), h('span', { class: 'meta' }, ` · method ${file.method}${text(trace['variant']) === '' ? '' : ` (${text(trace['variant'])})`}`)),
    h(
      'div',
      { class: 'sample-images' },
      source === undefined ? null : apiImage(`${samplePath(source)}/image`, 'dataset image', 'sample-image', 'image'),
      source === undefined ? null : apiImage(`${samplePath(source)}/ground-truth`, 'ground-truth mask', 'sample-ground-truth', 'ground truth'),
      rle === undefined ? h('p', { class: 'muted' }, 'no mask in the trace') : h('figure', {}, maskCanvas(rle, 320), h('figcaption', { class: 'meta' }, `prediction (${area ?? 0} pixels)`)),
    ),
    phrases.length === 0 ? null : h('h4', {}, `Phrases tried (${phrases.length})`),
    phrases.length === 0
      ? null
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, h('th', {}, 'gen'), h('th', {}, 'phrase'), h('th', {}, 'origin'), h('th', {}, 'confidence'), h('th', {}, 'area'), h('th', {}, 'gate'))),
          h(
            'tbody',
            {},
            ...phrases.map((phrase) => {
              const gate = isRecord(phrase['gate']) ? phrase['gate'] : {};
              return h('tr', {}, h('td', {}, text(phrase['generation'])), h('td', {}, text(phrase['phrase'])), h('td', {}, text(phrase['origin'])), h('td', {}, typeof phrase['confidence'] === 'number' ? formatNumber(phrase['confidence'], 2) : ''), h('td', {}, text(phrase['area'])), h('td', {}, `${gate['passed'] === true ? 'passed' : 'failed'} (${text(gate['reason'])})`));
            }),
          ),
        ),
    generations.length === 0 ? null : h('h4', {}, 'Generations'),
    ...generations.map((generation) => {
      const fights = (Array.isArray(generation['fights']) ? generation['fights'] : []).filter(isRecord);
      const stop = isRecord(generation['stop']) ? text(generation['stop']['reason']) : '';
      return h(
        'div',
        { class: 'meta' },
        `generation ${text(generation['index'])}: champion ${text(generation['champion']) || '—'}, ${fights.length} fight${fights.length === 1 ? '' : 's'}${stop === '' ? '' : `, ${stop}`}`,
        ...fights.map((fight) => h('div', {}, `  ${text(fight['champion'])} vs ${text(fight['challenger'])} → ${text(fight['winner'])}${text(fight['reason']) === '' ? '' : `: ${text(fight['reason'])}`}`)),
      );
    }),
    arbitration === undefined ? null : h('div', { class: 'arbitration' }, h('strong', {}, 'Final arbitration: '), `${text(arbitration['decision'])} (${text(arbitration['reason'])})`),
    h('details', {}, h('summary', {}, 'Raw trace'), h('pre', {}, JSON.stringify(trace, null, 2))),
  );
}
