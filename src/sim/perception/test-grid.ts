/**
 * Test support: a 4×3 grid of unoccluded objects (one per 160-px cell) drawn with pixel-centre
 * rasterisation, independent of the world renderer, and a JPEG round trip through sharp.
 */
import sharp from 'sharp';
import type { RgbImage } from '../../core/index.js';
import { COLOURS, SHAPES, createRng } from '../world/index.js';
import type { ShapeKind } from '../world/index.js';

type Point = [number, number];

/** Outline of a shape of radius `radius` around the origin, rotated; circles and rings handled apart. */
function outline(shape: ShapeKind, radius: number, rotation: number): Point[] {
  const regular = (count: number, scale = 1, phase = 0): Point[] =>
    Array.from({ length: count }, (_, index) => {
      const angle = phase + (2 * Math.PI * index) / count;
      return [scale * radius * Math.cos(angle), scale * radius * Math.sin(angle)];
    });
  let points: Point[];
  switch (shape) {
    case 'square':
      points = regular(4, 1, Math.PI / 4);
      break;
    case 'rectangle':
      points = [[-radius * 0.85, -radius * 0.5], [radius * 0.85, -radius * 0.5], [radius * 0.85, radius * 0.5], [-radius * 0.85, radius * 0.5]];
      break;
    case 'triangle':
      points = regular(3, 1, -Math.PI / 2);
      break;
    case 'hexagon':
      points = regular(6);
      break;
    case 'star':
      points = regular(10).map((point, index) => (index % 2 === 0 ? point : [point[0] * 0.45, point[1] * 0.45]));
      break;
    case 'cross': {
      const arm = radius * 0.34;
      const tip = radius / Math.SQRT2 + arm * 0.3;
      points = [[-arm, -tip], [arm, -tip], [arm, -arm], [tip, -arm], [tip, arm], [arm, arm], [arm, tip], [-arm, tip], [-arm, arm], [-tip, arm], [-tip, -arm], [-arm, -arm]];
      break;
    }
    default:
      points = [];
  }
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  return points.map(([x, y]) => [x * cos - y * sin, x * sin + y * cos]);
}

function inside(polygon: Point[], x: number, y: number): boolean {
  let result = false;
  for (let index = 0, previous = polygon.length - 1; index < polygon.length; previous = index++) {
    const [xi, yi] = polygon[index] as Point;
    const [xj, yj] = polygon[previous] as Point;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

/** One object per cell of a grid on a pale noisy background; returns the image and the drawn truth. */
export function renderGrid(seed: number): { image: RgbImage; truth: { shape: ShapeKind; colour: string }[] } {
  const rng = createRng(seed);
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = 220 + rng.int(-12, 12);
  const truth: { shape: ShapeKind; colour: string }[] = [];
  for (let cell = 0; cell < 12; cell += 1) {
    const shape = rng.pick(SHAPES);
    const colour = rng.pick(COLOURS);
    const radius = rng.real(18, 70);
    const centreX = (cell % 4) * 160 + 80;
    const centreY = Math.floor(cell / 4) * 160 + 80;
    const polygon = outline(shape, radius, rng.real(0, Math.PI));
    truth.push({ shape, colour: colour.name });
    for (let y = Math.floor(centreY - radius); y <= centreY + radius; y += 1) {
      for (let x = Math.floor(centreX - radius); x <= centreX + radius; x += 1) {
        const dx = x + 0.5 - centreX;
        const dy = y + 0.5 - centreY;
        const distance = Math.hypot(dx, dy);
        const hit =
          shape === 'circle' ? distance <= radius : shape === 'ring' ? distance <= radius && distance >= radius * 0.55 : inside(polygon, dx, dy);
        if (!hit || x < 0 || y < 0 || x >= width || y >= height) continue;
        data.set(colour.rgb, (y * width + x) * 3);
      }
    }
  }
  return { image: { width, height, data }, truth };
}

export async function jpegRoundTrip(image: RgbImage, quality: number): Promise<RgbImage> {
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Centre of grid cell `cell` (row-major, 4 columns). */
export function cellCentre(cell: number): [number, number] {
  return [(cell % 4) * 160 + 80, Math.floor(cell / 4) * 160 + 80];
}
