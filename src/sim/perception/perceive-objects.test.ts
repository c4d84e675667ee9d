import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../core/index.js';
import { COLOURS } from '../world/index.js';
import type { ShapeKind } from '../world/index.js';
import { perceiveObjects } from './perceive-objects.js';
import { cellCentre, jpegRoundTrip, renderGrid } from './test-grid.js';

function accuracy(image: RgbImage, truth: { shape: ShapeKind; colour: string }[]): { correct: number; total: number; misses: string[] } {
  const perceived = perceiveObjects(image);
  let correct = 0;
  const misses: string[] = [];
  for (const [cell, expected] of truth.entries()) {
    const [centreX, centreY] = cellCentre(cell);
    const found = perceived.find((object) => Math.abs(object.centroid[0] - centreX) < 40 && Math.abs(object.centroid[1] - centreY) < 40);
    if (found?.shape === expected.shape && found.colour === expected.colour) correct += 1;
    else misses.push(`${expected.colour} ${expected.shape} seen as ${found === undefined ? 'nothing' : `${found.colour} ${found.shape}`}`);
  }
  return { correct, total: truth.length, misses };
}

describe('perceiveObjects', () => {
  it('classifies colour and shape of unoccluded objects from lossless pixels', () => {
    let correct = 0;
    let total = 0;
    const misses: string[] = [];
    for (let seed = 1; seed <= 20; seed += 1) {
      const { image, truth } = renderGrid(seed);
      const result = accuracy(image, truth);
      correct += result.correct;
      total += result.total;
      misses.push(...result.misses);
    }
    expect(correct / total, misses.join('; ')).toBeGreaterThanOrEqual(0.97);
  });

  it('keeps classifying after a JPEG q90 round trip', async () => {
    let correct = 0;
    let total = 0;
    const misses: string[] = [];
    for (let seed = 100; seed < 110; seed += 1) {
      const { image, truth } = renderGrid(seed);
      const result = accuracy(await jpegRoundTrip(image, 90), truth);
      correct += result.correct;
      total += result.total;
      misses.push(...result.misses);
    }
    expect(correct / total, misses.join('; ')).toBeGreaterThanOrEqual(0.97);
  });

  it('reports pixel-edge boxes, pixel-centre centroids and exact areas', () => {
    const width = 20;
    const height = 10;
    const data = new Uint8Array(width * height * 3).fill(225);
    const red = COLOURS[0]?.rgb ?? [0, 0, 0];
    for (let y = 2; y < 8; y += 1) for (let x = 3; x < 9; x += 1) data.set(red, (y * width + x) * 3);
    const [object] = perceiveObjects({ width, height, data });
    expect(object?.box).toEqual([3, 2, 9, 8]);
    expect(object?.centroid).toEqual([6, 5]);
    expect(object?.area).toBe(36);
    expect(object?.shape).toBe('square');
  });
});
