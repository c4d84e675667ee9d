import { describe, expect, it } from 'vitest';
import { escapeXml, histogramSvg, niceStep, scatterSvg } from './svg-plots.js';

describe('SVG plots', () => {
  it('chooses tick steps of 1, 2, 2.5 or 5 times a power of ten, whole numbers for counts', () => {
    expect(niceStep(1)).toBe(0.25);
    expect(niceStep(14)).toBe(5);
    expect(niceStep(3, true)).toBe(1);
    expect(niceStep(800)).toBe(200);
  });

  it('draws one bar per bin with its count and escapes labels', () => {
    const svg = histogramSvg('IoU <n = 3>', [0, 0.5, 1], [2, 1], 'IoU');
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).toContain('IoU &lt;n = 3&gt;');
    expect(svg).toContain('<title>0–0.50: 2</title>');
  });

  it('draws one circle per point plus one legend entry per series', () => {
    const svg = scatterSvg('t', [{ x: 1, y: 0.5, series: 'a' }, { x: 2, y: 0.7, series: 'b', label: 'x&y' }], 'calls', 'IoU', { yRange: [0, 1] });
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain(escapeXml('b x&y: (2, 0.70)'));
  });
});
