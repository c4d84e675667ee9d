/**
 * Minimal SVG charts for reports (no plotting dependency): a histogram and a scatter plot with labelled
 * axes. Text is XML-escaped; output is deterministic for the same input.
 */
const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 24, top: 48, bottom: 56 };
const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${plotBottom}" x2="${WIDTH - MARGIN.right}" y2="${plotBottom}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${plotBottom}" stroke="black"/>`,
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${(MARGIN.top + plotBottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(MARGIN.top + plotBottom) / 2})">${escapeXml(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Ticks at 0, ¼, ½, ¾ and 1 of the range. */
function ticks(minimum: number, maximum: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((fraction) => minimum + (maximum - minimum) * fraction);
}

export function histogramSvg(title: string, edges: readonly number[], counts: readonly number[], xLabel: string, yLabel = 'samples'): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const tallest = Math.max(1, ...counts);
  const barWidth = plotWidth / Math.max(1, counts.length);
  const body: string[] = [];
  counts.forEach((count, index) => {
    const height = (count / tallest) * plotHeight;
    const x = MARGIN.left + index * barWidth;
    const y = MARGIN.top + plotHeight - height;
    body.push(`<rect x="${number(x + 1)}" y="${number(y)}" width="${number(barWidth - 2)}" height="${number(height)}" fill="${SERIES_COLOURS[0]}"><title>${number(edges[index] ?? 0)}–${number(edges[index + 1] ?? 0)}: ${count}</title></rect>`);
    if (count > 0) body.push(`<text x="${number(x + barWidth / 2)}" y="${number(y - 4)}" text-anchor="middle" font-size="10">${count}</text>`);
  });
  edges.forEach((edge, index) => {
    if (index % 2 !== 0 && edges.length > 6) return;
    body.push(`<text x="${number(MARGIN.left + index * barWidth)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${number(edge)}</text>`);
  });
  for (const tick of ticks(0, tallest)) {
    const y = MARGIN.top + plotHeight - (tick / tallest) * plotHeight;
    body.push(`<text x="${MARGIN.left - 6}" y="${number(y + 4)}" text-anchor="end">${number(Math.round(tick * 10) / 10)}</text>`);
  }
  return frame(title, xLabel, yLabel, body);
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** Series name (legend + colour). */
  series: string;
  /** Tooltip / point label. */
  label?: string;
}

export function scatterSvg(title: string, points: readonly ScatterPoint[], xLabel: string, yLabel: string, options: { yRange?: [number, number]; labelPoints?: boolean } = {}): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xMaximum = Math.max(1, ...points.map((point) => point.x)) * 1.05;
  const [yMinimum, yMaximum] = options.yRange ?? [Math.min(0, ...points.map((point) => point.y)), Math.max(1, ...points.map((point) => point.y))];
  const xOf = (value: number): number => MARGIN.left + (value / xMaximum) * plotWidth;
  const yOf = (value: number): number => MARGIN.top + plotHeight - ((value - yMinimum) / (yMaximum - yMinimum || 1)) * plotHeight;
  const series = [...new Set(points.map((point) => point.series))];
  const body: string[] = [];
  for (const tick of ticks(0, xMaximum)) body.push(`<text x="${number(xOf(tick))}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${number(Math.round(tick * 10) / 10)}</text>`);
  for (const tick of ticks(yMinimum, yMaximum)) body.push(`<text x="${MARGIN.left - 6}" y="${number(yOf(tick) + 4)}" text-anchor="end">${number(tick)}</text>`);
  for (const point of points) {
    const colour = SERIES_COLOURS[series.indexOf(point.series) % SERIES_COLOURS.length];
    const tooltip = `${point.series}${point.label === undefined ? '' : ` ${point.label}`}: (${number(point.x)}, ${number(point.y)})`;
    body.push(`<circle cx="${number(xOf(point.x))}" cy="${number(yOf(point.y))}" r="4" fill="${colour}" fill-opacity="0.7"><title>${escapeXml(tooltip)}</title></circle>`);
    if (options.labelPoints === true && point.label !== undefined) body.push(`<text x="${number(xOf(point.x) + 6)}" y="${number(yOf(point.y) - 6)}" font-size="10">${escapeXml(point.label)}</text>`);
  }
  series.forEach((name, index) => {
    const y = MARGIN.top + 4 + index * 16;
    body.push(`<circle cx="${WIDTH - MARGIN.right - 150}" cy="${y}" r="4" fill="${SERIES_COLOURS[index % SERIES_COLOURS.length]}"/>`);
    body.push(`<text x="${WIDTH - MARGIN.right - 140}" y="${y + 4}">${escapeXml(name)}</text>`);
  });
  return frame(title, xLabel, yLabel, body);
}
