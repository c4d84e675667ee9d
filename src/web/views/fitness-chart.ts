/** Fitness per generation as a small inline SVG: best and mean fitness of each generation. */
import type { GenerationCard } from '../segment-state.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function fitnessChart(generations: readonly GenerationCard[]): SVGElement {
  const width = 360;
  const height = 160;
  const pad = 32;
  const points = generations.map((generation) => {
    const values = generation.fitness.map((entry) => entry.fitness);
    const best = values.length === 0 ? 0 : Math.max(...values);
    const mean = values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
    return { generation: generation.generation, best, mean };
  });
  const all = points.flatMap((point) => [point.best, point.mean]);
  const low = Math.min(0, ...all);
  const high = Math.max(1, ...all);
  const x = (index: number) => pad + (points.length <= 1 ? (width - 2 * pad) / 2 : (index * (width - 2 * pad)) / (points.length - 1));
  const y = (value: number) => height - pad - ((value - low) / (high - low || 1)) * (height - 2 * pad);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'fitness-chart', 'data-testid': 'fitness-chart' });
  chart.appendChild(svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: '#999' }));
  chart.appendChild(svg('line', { x1: pad, y1: pad, x2: pad, y2: height - pad, stroke: '#999' }));
  chart.appendChild(svg('text', { x: 4, y: pad, 'font-size': 10 }, high.toFixed(1)));
  chart.appendChild(svg('text', { x: 4, y: height - pad, 'font-size': 10 }, low.toFixed(1)));
  for (const [key, colour] of [['best', '#1b7f3b'], ['mean', '#c27c0e']] as const) {
    chart.appendChild(svg('polyline', { points: points.map((point, index) => `${x(index)},${y(point[key])}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }));
    points.forEach((point, index) => chart.appendChild(svg('circle', { cx: x(index), cy: y(point[key]), r: 3, fill: colour })));
  }
  points.forEach((point, index) => chart.appendChild(svg('text', { x: x(index) - 4, y: height - pad + 14, 'font-size': 10 }, `g${point.generation}`)));
  chart.appendChild(svg('text', { x: width - 120, y: 14, 'font-size': 10, fill: '#1b7f3b' }, '— best'));
  chart.appendChild(svg('text', { x: width - 70, y: 14, 'font-size': 10, fill: '#c27c0e' }, '— mean'));
  return chart;
}
