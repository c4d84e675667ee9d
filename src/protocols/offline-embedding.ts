/**
 * The built-in offline embedder's pure functions. These are LEXICAL (text) and PERCEPTUAL (image) features,
 * not semantic embeddings: "a red car" and "a crimson automobile" share almost nothing here. They let
 * memory retrieval run with no embedding server; reports must label them 'lexical-perceptual'.
 */
import { fnv1a } from '../core/index.js';
import type { RgbImage } from '../core/index.js';

export const OFFLINE_EMBEDDING_DIMENSIONS = 256;

// Word features carry more identity than character 3-grams; 3-grams give robustness to inflection and typos.
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;

function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) * scale;
  return vector;
}

function addHashed(vector: Float32Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  // Signed feature hashing: the sign from an independent bit keeps collisions unbiased in expectation.
  const sign = (fnv1a(feature, 0x9e3779b9) & 1) === 0 ? 1 : -1;
  const slot = hash % vector.length;
  vector[slot] = (vector[slot] ?? 0) + sign * weight;
}

function assertDimensions(dims: number): void {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`embedding dimensions must be a positive integer, got ${dims}`);
}

/**
 * Hashed bag of lower-cased words plus character 3-grams of each padded word, L2-normalised.
 * Empty or symbol-only text gives the zero vector (cosine similarity 0 with everything).
 */
export function lexicalTextEmbedding(text: string, dims = OFFLINE_EMBEDDING_DIMENSIONS): Float32Array {
  assertDimensions(dims);
  const vector = new Float32Array(dims);
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    addHashed(vector, `w:${word}`, WORD_WEIGHT);
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index += 1) {
      addHashed(vector, `c:${padded.slice(index, index + 3)}`, TRIGRAM_WEIGHT);
    }
  }
  return l2Normalize(vector);
}

// Feature layout of the raw perceptual vector (256 values, each block L1-normalised on its own).
const HUE_BINS = 12;
const SATURATION_BINS = 3;
const VALUE_BINS = 3;
const RGB_BINS_PER_CHANNEL = 4;
const ORIENTATION_BINS = 8;
const GRID = 3;
const MAGNITUDE_BINS = 12;
const HSV_SIZE = HUE_BINS * SATURATION_BINS * VALUE_BINS; // 108
const RGB_SIZE = RGB_BINS_PER_CHANNEL ** 3; // 64
const ORIENTATION_SIZE = ORIENTATION_BINS * GRID * GRID; // 72
const RAW_SIZE = HSV_SIZE + RGB_SIZE + ORIENTATION_SIZE + MAGNITUDE_BINS; // 256
// Sample at most ~65k pixels so a 4k image costs the same as a 256×256 one.
const MAX_SAMPLES = 65_536;

function hsvBin(red: number, green: number, blue: number): number {
  const max = Math.max(red, green, blue);
  const min = Math.min(red, green, blue);
  const delta = max - min;
  let hue = 0;
  if (delta > 0) {
    if (max === red) hue = ((green - blue) / delta + 6) % 6;
    else if (max === green) hue = (blue - red) / delta + 2;
    else hue = (red - green) / delta + 4;
  }
  const saturation = max === 0 ? 0 : delta / max;
  const value = max / 255;
  const hueIndex = Math.min(HUE_BINS - 1, Math.floor((hue / 6) * HUE_BINS));
  const saturationIndex = Math.min(SATURATION_BINS - 1, Math.floor(saturation * SATURATION_BINS));
  const valueIndex = Math.min(VALUE_BINS - 1, Math.floor(value * VALUE_BINS));
  return (hueIndex * SATURATION_BINS + saturationIndex) * VALUE_BINS + valueIndex;
}

function normalizeBlock(raw: Float64Array, start: number, length: number): void {
  let sum = 0;
  for (let index = start; index < start + length; index += 1) sum += raw[index] ?? 0;
  if (sum === 0) return;
  for (let index = start; index < start + length; index += 1) raw[index] = (raw[index] ?? 0) / sum;
}

/**
 * Colour histograms (coarse HSV and RGB) plus a 3×3 grid of gradient-orientation histograms and a
 * gradient-magnitude (texture energy) histogram, each block L1-normalised, folded into `dims` slots,
 * L2-normalised.
 */
export function perceptualImageEmbedding(image: RgbImage, dims = OFFLINE_EMBEDDING_DIMENSIONS): Float32Array {
  assertDimensions(dims);
  const { width, height, data } = image;
  if (data.length !== width * height * 3) {
    throw new RangeError(`RgbImage data length ${data.length} does not match ${width}×${height}×3`);
  }
  const raw = new Float64Array(RAW_SIZE);
  const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / MAX_SAMPLES)));
  const grey = (x: number, y: number): number => {
    const offset = (y * width + x) * 3;
    return 0.299 * (data[offset] ?? 0) + 0.587 * (data[offset + 1] ?? 0) + 0.114 * (data[offset + 2] ?? 0);
  };
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const offset = (y * width + x) * 3;
      const red = data[offset] ?? 0;
      const green = data[offset + 1] ?? 0;
      const blue = data[offset + 2] ?? 0;
      raw[hsvBin(red, green, blue)] = (raw[hsvBin(red, green, blue)] ?? 0) + 1;
      const rgbIndex =
        HSV_SIZE +
        (((red >> 6) * RGB_BINS_PER_CHANNEL + (green >> 6)) * RGB_BINS_PER_CHANNEL + (blue >> 6));
      raw[rgbIndex] = (raw[rgbIndex] ?? 0) + 1;
      if (x === 0 || y === 0 || x >= width - 1 || y >= height - 1) continue;
      // Central differences on luma: cheap and enough for coarse orientation statistics.
      const gradientX = grey(x + 1, y) - grey(x - 1, y);
      const gradientY = grey(x, y + 1) - grey(x, y - 1);
      const magnitude = Math.hypot(gradientX, gradientY);
      const magnitudeIndex = Math.min(MAGNITUDE_BINS - 1, Math.floor((magnitude / 361) * MAGNITUDE_BINS));
      const magnitudeSlot = HSV_SIZE + RGB_SIZE + ORIENTATION_SIZE + magnitudeIndex;
      raw[magnitudeSlot] = (raw[magnitudeSlot] ?? 0) + 1;
      if (magnitude < 8) continue; // flat regions carry no orientation
      const angle = (Math.atan2(gradientY, gradientX) + Math.PI) % Math.PI; // unsigned orientation
      const orientation = Math.min(ORIENTATION_BINS - 1, Math.floor((angle / Math.PI) * ORIENTATION_BINS));
      const cell = Math.min(GRID - 1, Math.floor((y / height) * GRID)) * GRID + Math.min(GRID - 1, Math.floor((x / width) * GRID));
      const slot = HSV_SIZE + RGB_SIZE + cell * ORIENTATION_BINS + orientation;
      raw[slot] = (raw[slot] ?? 0) + magnitude;
    }
  }
  normalizeBlock(raw, 0, HSV_SIZE);
  normalizeBlock(raw, HSV_SIZE, RGB_SIZE);
  normalizeBlock(raw, HSV_SIZE + RGB_SIZE, ORIENTATION_SIZE);
  normalizeBlock(raw, HSV_SIZE + RGB_SIZE + ORIENTATION_SIZE, MAGNITUDE_BINS);
  const vector = new Float32Array(dims);
  for (let index = 0; index < RAW_SIZE; index += 1) {
    const slot = index % dims;
    vector[slot] = (vector[slot] ?? 0) + (raw[index] ?? 0);
  }
  return l2Normalize(vector);
}
