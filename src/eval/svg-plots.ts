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

/** A "nice" tick step (1, 2, 2.5 or 5 × 10^k) giving about four intervals over the range. */
export function niceStep(range: number, integer = false): number {
  if (!(range > 0)) return 1;
  const rough = range / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** Ticks from minimum to the axis maximum (the range's end rounded up to a whole step). */
function ticks(minimum: number, maximum: number, integer = false): { values: number[]; top: number } {
  const step = niceStep(maximum - minimum, integer);
  const top = minimum + Math.ceil((maximum - minimum) / step - 1e-9) * step;
  const values: number[] = [];
  for (let value = minimum; value <= top + step / 2; value += step) values.push(Math.round(value * 1e9) / 1e9);
  return { values, top };
}

export function histogramSvg(title: string, edges: readonly number[], counts: readonly number[], xLabel: string, yLabel = 'samples'): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const yTicks = ticks(0, Math.max(1, ...counts), true);
  const tallest = yTicks.top;
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
  for (const tick of yTicks.values) {
    const y = MARGIN.top + plotHeight - (tick / tallest) * plotHeight;
    body.push(`<text x="${MARGIN.left - 6}" y="${number(y + 4)}" text-anchor="end">${number(tick)}</text>`);
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
  const xTicks = ticks(0, Math.max(1, ...points.map((point) => point.x)) * 1.05);
  const xMaximum = xTicks.top;
  const yRange = options.yRange ?? [Math.min(0, ...points.map((point) => point.y)), Math.max(1, ...points.map((point) => point.y))];
  const yTicks = ticks(yRange[0], yRange[1]);
  const yMinimum = yRange[0];
  const yMaximum = yTicks.top;
  const xOf = (value: number): number => MARGIN.left + (value / xMaximum) * plotWidth;
  const yOf = (value: number): number => MARGIN.top + plotHeight - ((value - yMinimum) / (yMaximum - yMinimum || 1)) * plotHeight;
  const series = [...new Set(points.map((point) => point.series))];
  const body: string[] = [];
  for (const tick of xTicks.values) body.push(`<text x="${number(xOf(tick))}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${number(tick)}</text>`);
  for (const tick of yTicks.values) body.push(`<text x="${MARGIN.left - 6}" y="${number(yOf(tick) + 4)}" text-anchor="end">${number(tick)}</text>`);
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
