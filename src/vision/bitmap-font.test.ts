import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { GLYPH_HEIGHT, drawText, fillRectangle, measureText } from './bitmap-font.js';

function blank(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

function inkRows(image: RgbImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y += 1) {
    let row = '';
    for (let x = 0; x < image.width; x += 1) row += image.data[(y * image.width + x) * 3] ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('bitmap font', () => {
  it('draws a digit as its 3x5 glyph at scale 1', () => {
    const image = blank(3, 5);
    drawText(image, '7', 0, 0, [255, 255, 255], 1);
    expect(inkRows(image)).toEqual(['###', '..#', '..#', '.#.', '.#.']);
  });

  it('measures text with one blank column between glyphs, scaled', () => {
    expect(measureText('', 2)).toEqual({ width: 0, height: GLYPH_HEIGHT * 2 });
    expect(measureText('A1', 1)).toEqual({ width: 7, height: 5 });
    expect(measureText('A1', 3)).toEqual({ width: 21, height: 15 });
  });

  it('draws lower case as upper case and unknown characters as blanks', () => {
    const lower = blank(7, 5);
    const upper = blank(7, 5);
    drawText(lower, 'a?', 0, 0, [255, 0, 0], 1);
    drawText(upper, 'A ', 0, 0, [255, 0, 0], 1);
    expect(inkRows(lower)).toEqual(inkRows(upper));
  });

  it('clips text and rectangles at the image border instead of failing', () => {
    const image = blank(2, 2);
    drawText(image, '88', -1, -1, [255, 255, 255], 2);
    fillRectangle(image, -5, -5, 1, 1, [9, 9, 9]);
    expect(Array.from(image.data.subarray(0, 3))).toEqual([9, 9, 9]);
    expect(image.data.length).toBe(12);
  });
});
