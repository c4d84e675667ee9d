/** Plots of a run report drawn in the page from its summary: IoU histogram and IoU vs calls (SVG). */
import type { SegmentationSummaryResponse as WebSegmentationSummary } from '../../server/api-schemas.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const WIDTH = 420;
const HEIGHT = 240;
const PAD = 40;

function frame(title: string, xLabel: string, yLabel: string, testId: string): SVGElement {
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, 'data-testid': testId, role: 'img', 'aria-label': title });
  chart.appendChild(svg('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: '#fff' }));
  chart.appendChild(svg('text', { x: WIDTH / 2, y: 16, 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 600 }, title));
  chart.appendChild(svg('line', { x1: PAD, y1: HEIGHT - PAD, x2: WIDTH - 10, y2: HEIGHT - PAD, stroke: '#666' }));
  chart.appendChild(svg('line', { x1: PAD, y1: 26, x2: PAD, y2: HEIGHT - PAD, stroke: '#666' }));
  chart.appendChild(svg('text', { x: WIDTH / 2, y: HEIGHT - 6, 'text-anchor': 'middle', 'font-size': 11 }, xLabel));
  chart.appendChild(svg('text', { x: 12, y: HEIGHT / 2, 'font-size': 11, transform: `rotate(-90 12 ${HEIGHT / 2})`, 'text-anchor': 'middle' }, yLabel));
  return chart;
}

export function iouHistogram(summary: WebSegmentationSummary, suffix: string): SVGElement {
  const { edges, counts } = summary.iouHistogram;
  const chart = frame(`Per-image IoU, n = ${summary.n}${suffix}`, 'IoU', 'samples', 'iou-histogram');
  const highest = Math.max(1, ...counts);
  const plotWidth = WIDTH - 10 - PAD;
  const plotHeight = HEIGHT - PAD - 26;
  const barWidth = plotWidth / Math.max(1, counts.length);
  counts.forEach((count, index) => {
    const height = (count / highest) * plotHeight;
    chart.appendChild(svg('rect', { x: PAD + index * barWidth + 1, y: HEIGHT - PAD - height, width: barWidth - 2, height, fill: '#2463eb' }));
    if (count > 0) chart.appendChild(svg('text', { x: PAD + (index + 0.5) * barWidth, y: HEIGHT - PAD - height - 3, 'text-anchor': 'middle', 'font-size': 10 }, String(count)));
  });
  edges.forEach((edge, index) => {
    if (index % 2 === 0) chart.appendChild(svg('text', { x: PAD + index * barWidth, y: HEIGHT - PAD + 12, 'text-anchor': 'middle', 'font-size': 10 }, edge.toFixed(1)));
  });
  return chart;
}

/** Points of one or more series: x, y in data units. */
export function scatter(title: string, xLabel: string, yLabel: string, series: { name: string; colour: string; points: { x: number; y: number; label: string }[] }[], testId: string, ranges: { x?: [number, number]; y?: [number, number]; diagonal?: boolean } = {}): SVGElement {
  const chart = frame(title, xLabel, yLabel, testId);
  const all = series.flatMap((entry) => entry.points);
  const [xLow, xHigh] = ranges.x ?? [0, Math.max(1, ...all.map((point) => point.x))];
  const [yLow, yHigh] = ranges.y ?? [0, Math.max(1, ...all.map((point) => point.y))];
  const x = (value: number) => PAD + ((value - xLow) / (xHigh - xLow || 1)) * (WIDTH - 10 - PAD - 6) + 3;
  const y = (value: number) => HEIGHT - PAD - ((value - yLow) / (yHigh - yLow || 1)) * (HEIGHT - PAD - 30) - 3;
  chart.appendChild(svg('text', { x: PAD - 4, y: y(yHigh) + 4, 'text-anchor': 'end', 'font-size': 10 }, yHigh.toFixed(1)));
  chart.appendChild(svg('text', { x: PAD - 4, y: y(yLow), 'text-anchor': 'end', 'font-size': 10 }, yLow.toFixed(1)));
  chart.appendChild(svg('text', { x: x(xHigh), y: HEIGHT - PAD + 12, 'text-anchor': 'middle', 'font-size': 10 }, String(Math.round(xHigh * 10) / 10)));
  if (ranges.diagonal === true) chart.appendChild(svg('line', { x1: x(xLow), y1: y(yLow), x2: x(xHigh), y2: y(yHigh), stroke: '#bbb', 'stroke-dasharray': '4 3' }));
  series.forEach((entry, index) => {
    chart.appendChild(svg('text', { x: WIDTH - 150, y: 32 + index * 13, 'font-size': 10, fill: entry.colour }, `● ${entry.name}`));
    for (const point of entry.points) {
      const dot = svg('circle', { cx: x(point.x), cy: y(point.y), r: 4, fill: entry.colour, 'fill-opacity': 0.75 });
      dot.appendChild(svg('title', {}, `${point.label}: ${xLabel} ${point.x}, ${yLabel} ${point.y.toFixed(3)}`));
      chart.appendChild(dot);
    }
  });
  return chart;
}

export function iouVersusCalls(summary: WebSegmentationSummary, suffix: string): SVGElement {
  const points = (isSentence: boolean) => summary.perSample.filter((sample) => sample.isSentence === isSentence).map((sample) => ({ x: sample.calls, y: sample.iou, label: sample.id }));
  return scatter(
    `IoU vs backend calls per sample${suffix}`,
    'backend calls',
    'IoU',
    [
      { name: 'short (phrase)', colour: '#2463eb', points: points(false) },
      { name: 'long (sentence)', colour: '#c27c0e', points: points(true) },
    ],
    'iou-vs-calls',
    { y: [0, 1] },
  );
}
