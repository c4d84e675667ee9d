/**
 * One evaluated sample from its trace file (GET /v1/runs/:id/traces/:sample: name, query, method, the
 * final mask as COCO RLE and the engine's trace): query, IoU, the predicted mask, every phrase the search
 * tried with its gate verdict, each generation's fights, the final arbitration, and the raw trace.
 */
import { isRecord } from '../api.js';
import { formatNumber, h } from '../dom.js';
import { decodeRle } from '../rle.js';
import { asRle } from '../segment-state.js';
import type { CocoRle } from '../rle.js';

/** The mask alone (the server keeps dataset images to itself): foreground orange on dark grey. */
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

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

export function sampleDetail(body: unknown, iou: number | undefined): HTMLElement {
  const file = isRecord(body) ? body : {};
  const trace = isRecord(file['trace']) ? file['trace'] : {};
  const rle = asRle(file['rle']);
  const phrases = (Array.isArray(trace['phrases']) ? trace['phrases'] : []).filter(isRecord);
  const generations = (Array.isArray(trace['generations']) ? trace['generations'] : []).filter(isRecord);
  const arbitration = isRecord(trace['arbitration']) ? trace['arbitration'] : undefined;
  const area = rle === undefined ? undefined : decodeRle(rle).data.reduce((sum, value) => sum + value, 0);
  return h(
    'div',
    { 'data-testid': 'sample-detail' },
    h('div', {}, h('strong', {}, 'Query: '), text(file['query']), file['isSentence'] === true ? ' (long, sentence)' : ' (short, phrase)'),
    h('div', {}, h('strong', {}, 'IoU: '), iou === undefined ? '—' : formatNumber(iou), h('span', { class: 'meta' }, ` · method ${text(file['method'])}${text(trace['variant']) === '' ? '' : ` (${text(trace['variant'])})`}`)),
    h('div', { class: 'sample-images' }, rle === undefined ? h('p', { class: 'muted' }, 'no mask in the trace') : h('figure', {}, maskCanvas(rle, 320), h('figcaption', { class: 'meta' }, `prediction (${area ?? 0} pixels)`))),
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
