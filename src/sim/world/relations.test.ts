import { describe, it, expect } from 'vitest';
import { areaRanks, isAbove, isBetween, isInside, isLeftOf, sceneGraph, selectByDistance, selectOrdinal } from './relations.js';
import { shapePolygon } from './shapes.js';
import { SHAPES, SHAPE_TRAITS } from './vocabulary.js';
import type { ObjectView } from './vocabulary.js';

const box = (x1: number, y1: number, x2: number, y2: number, shape: ObjectView['shape'] = 'square'): ObjectView => ({
  shape,
  colour: 'red',
  box: [x1, y1, x2, y2],
  centroid: [(x1 + x2) / 2, (y1 + y2) / 2],
  area: (x2 - x1) * (y2 - y1),
});

describe('spatial relations', () => {
  it('judges left and above by separated boxes, stricter with positive slack', () => {
    const a = box(0, 0, 10, 10);
    const b = box(12, 20, 22, 30);
    expect(isLeftOf(a, b)).toBe(true);
    expect(isLeftOf(b, a)).toBe(false);
    expect(isLeftOf(a, b, 4), 'a 2-px gap is not decisive with 4 px of slack').toBe(false);
    expect(isLeftOf(a, b, -4)).toBe(true);
    expect(isAbove(a, b)).toBe(true);
    expect(isAbove(b, a)).toBe(false);
  });

  it('finds an object inside a ring by box containment of a smaller object', () => {
    const ring = box(0, 0, 100, 100, 'ring');
    const dot = box(40, 40, 60, 60, 'circle');
    expect(isInside(dot, ring)).toBe(true);
    expect(isInside(ring, dot)).toBe(false);
    expect(sceneGraph([ring, dot])).toContainEqual({ relation: 'inside', subject: 1, object: 0 });
  });

  it('places between only near the middle of the segment joining two anchors', () => {
    const left = box(0, 0, 10, 10);
    const right = box(100, 0, 110, 10);
    expect(isBetween(box(50, 0, 60, 10), left, right)).toBe(true);
    expect(isBetween(box(50, 60, 60, 70), left, right), 'too far from the line').toBe(false);
    expect(isBetween(box(98, 0, 108, 10), left, right), 'beyond 90% of the way').toBe(false);
  });

  it('returns ties for ordinals and distances, and near-ties under positive slack', () => {
    const objects = [box(0, 0, 10, 10), box(30, 0, 40, 10), box(32, 30, 42, 40), box(100, 0, 111, 11)];
    expect(selectOrdinal(objects, [0, 1, 2, 3], 'leftmost')).toEqual([0]);
    expect(selectOrdinal(objects, [1, 2], 'leftmost')).toEqual([1]);
    expect(selectOrdinal(objects, [1, 2], 'leftmost', 4)).toEqual([1, 2]);
    expect(selectOrdinal(objects, [0, 1, 2], 'largest'), 'equal areas tie').toEqual([0, 1, 2]);
    expect(selectByDistance(objects, [1, 2, 3], objects[0] as ObjectView, false)).toEqual([1]);
    expect(selectByDistance(objects, [1, 2, 3], objects[0] as ObjectView, true)).toEqual([3]);
    expect(areaRanks(objects)).toEqual([2, 2, 2, 1]);
  });
});

describe('shape polygons', () => {
  it('gives polygonal shapes as many vertices as their corners and integer coordinates throughout', () => {
    for (const shape of SHAPES) {
      const polygon = shapePolygon({ shape, centre: [200, 200], radius: 60, rotation: 0.3, aspect: shape === 'rectangle' ? 1.8 : 1 });
      for (const [x, y] of polygon) expect(Number.isInteger(x) && Number.isInteger(y), shape).toBe(true);
      const corners = SHAPE_TRAITS[shape].corners;
      if (corners > 0) expect(polygon.length, shape).toBe(corners);
      else expect(polygon.length, `${shape} approximates a curve`).toBeGreaterThan(16);
    }
  });
});
