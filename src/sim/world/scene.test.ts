import { describe, it, expect } from 'vitest';
import { rasterizePolygon } from '../../vision/index.js';
import { renderScene } from './render.js';
import { MIN_VISIBLE_FRACTION, generateScene } from './scene.js';
import { polygonBounds, shapePolygon } from './shapes.js';
import { visibleStatistics } from './visibility.js';
import { BACKGROUND_MARGIN, COLOURS } from './vocabulary.js';

const seeds = Array.from({ length: 25 }, (_, index) => index * 7919 + 1);

describe('generateScene and renderScene', () => {
  it('returns identical scenes and identical pixels for the same seed', () => {
    const first = renderScene(generateScene(42));
    const second = renderScene(generateScene(42));
    expect(Buffer.from(first.image.data).equals(Buffer.from(second.image.data))).toBe(true);
    expect(generateScene(42)).toEqual(generateScene(42));
    expect(Buffer.from(renderScene(generateScene(43)).image.data).equals(Buffer.from(first.image.data))).toBe(false);
  });

  it('keeps canvases within 320–1024 px per side and 3–10 objects inside the canvas', () => {
    for (const seed of seeds) {
      const scene = generateScene(seed);
      expect(scene.width).toBeGreaterThanOrEqual(320);
      expect(scene.height).toBeLessThanOrEqual(1024);
      expect(scene.objects.length, `seed ${seed}`).toBeGreaterThanOrEqual(3);
      expect(scene.objects.length).toBeLessThanOrEqual(10);
      for (const object of scene.objects) {
        const [x1, y1, x2, y2] = polygonBounds(object.polygon);
        expect(x1 >= 0 && y1 >= 0 && x2 <= scene.width && y2 <= scene.height, `seed ${seed} ${object.shape}`).toBe(true);
      }
    }
  });

  it('gives each object a mask equal to the pixels painted in its colour where it is on top', () => {
    for (const seed of seeds.slice(0, 10)) {
      const scene = generateScene(seed);
      const rendered = renderScene(scene);
      scene.objects.forEach((object, index) => {
        const full = rasterizePolygon(scene, object.polygon);
        const mask = rendered.instanceMasks[index];
        const rgb = COLOURS.find((colour) => colour.name === object.colour)?.rgb ?? [0, 0, 0];
        let mismatches = 0;
        let visible = 0;
        for (let pixel = 0; pixel < full.data.length; pixel += 1) {
          const shown = mask?.data[pixel] === 1;
          visible += shown ? 1 : 0;
          // A visible pixel must be drawn by the polygon and painted in the object's colour.
          if (shown && (full.data[pixel] !== 1 || rendered.image.data[pixel * 3] !== rgb[0])) mismatches += 1;
          // A polygon pixel not shown must be covered by a later object.
          if (!shown && full.data[pixel] === 1 && (rendered.labels.data[pixel] ?? 0) <= index + 1) mismatches += 1;
        }
        expect(mismatches, `seed ${seed} object ${index} ${object.shape}`).toBe(0);
        expect(rendered.objects[index]?.area).toBe(visible);
      });
    }
  });

  it('keeps occluded objects mostly visible in one piece and same-coloured objects apart', () => {
    let occluded = 0;
    for (const seed of seeds) {
      const scene = generateScene(seed);
      const rendered = renderScene(scene);
      for (const [index, entry] of visibleStatistics(rendered.labels, scene.objects).entries()) {
        expect(entry.components, `seed ${seed} object ${index}`).toBe(1);
        expect(entry.visible).toBeGreaterThanOrEqual(MIN_VISIBLE_FRACTION * entry.full);
        if (entry.visible < entry.full) occluded += 1;
      }
      scene.objects.forEach((a, i) =>
        scene.objects.forEach((b, j) => {
          if (i >= j || a.colour !== b.colour) return;
          const [ax1, ay1, ax2, ay2] = polygonBounds(a.polygon);
          const [bx1, by1, bx2, by2] = polygonBounds(b.polygon);
          const apart = bx1 > ax2 || ax1 > bx2 || by1 > ay2 || ay1 > by2;
          expect(apart, `seed ${seed}: same-coloured objects ${i} and ${j} touch`).toBe(true);
        }),
      );
    }
    expect(occluded, 'some scenes should contain partial occlusion').toBeGreaterThan(0);
  });

  it('draws a ring with an empty hole and keeps the background far from every palette colour', () => {
    const geometry = { shape: 'ring' as const, centre: [100, 100] as const, radius: 60, rotation: 0, aspect: 1 };
    const scene = {
      ...generateScene(5, { minObjects: 1, maxObjects: 1, width: 200, height: 200 }),
      objects: [{ ...geometry, colour: 'red' as const, polygon: shapePolygon(geometry) }],
    };
    const labels = renderScene(scene).labels;
    const at = (x: number, y: number): number => labels.data[y * 200 + x] ?? -1;
    expect(at(100, 100), 'centre of the hole').toBe(0);
    expect(at(100 + 20, 100), 'inside the hole').toBe(0);
    expect(at(100 + 45, 100), 'on the body, right of the slit').toBe(1);
    expect(at(100 - 45, 100), 'on the body, left').toBe(1);
    expect(at(100, 100 + 45), 'on the body, below').toBe(1);
    let closest = Infinity;
    for (const seed of seeds.slice(0, 6)) {
      const rendered = renderScene(generateScene(seed));
      for (let pixel = 0; pixel < rendered.labels.data.length; pixel += 1) {
        if (rendered.labels.data[pixel] !== 0) continue;
        const [r, g, b] = [0, 1, 2].map((channel) => rendered.image.data[pixel * 3 + channel] ?? 0) as [number, number, number];
        for (const colour of COLOURS) closest = Math.min(closest, Math.hypot(r - colour.rgb[0], g - colour.rgb[1], b - colour.rgb[2]));
      }
    }
    expect(closest, 'closest background pixel to a palette colour').toBeGreaterThanOrEqual(BACKGROUND_MARGIN);
  });
});
