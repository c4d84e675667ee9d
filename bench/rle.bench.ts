/**
 * COCO RLE throughput (issues 3 and 18): encode, decode (a fresh mask per call, and `decodeInto` one buffer
 * reused across calls on both sides), area and IoU on 1,000 seeded 1024×1024 masks of
 * two kinds — smooth blobs (annotation-like, ~1,600 runs) and the same blobs with 3.2% of pixels flipped
 * (~62,000 runs) — against a C implementation of the same format (bench/rle-c/coco-rle.c, our own code
 * written from the format, compiled here with `cc -O2`) fed the same masks in the same run, every string,
 * area and IoU checked equal. Without a C compiler the anchor is a per-pixel TypeScript implementation.
 * Masks go in batches of 50 so memory stays near 150 MB; generation and file writing are not timed. The
 * TypeScript side runs its first batch once untimed (JIT warm-up) and collects garbage before each timed
 * step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Mask } from '../src/core/index.js';
import { createMask } from '../src/core/index.js';
import { decodeRle, decodeRleInto, encodeRle, rasterizePolygon, rleArea, rleIou } from '../src/vision/index.js';
import type { CocoRle } from '../src/vision/index.js';
import { perPixelArea, perPixelDecode, perPixelEncode, perPixelIou } from './rle-per-pixel.js';

const SIDE = 1024;
const MASKS = Number(process.env.RLE_BENCH_MASKS ?? 1000);
const BATCH = 50;
const NOISE = 0.032;
const OPERATIONS = ['encode', 'decode', 'decodeInto', 'area', 'iou'] as const;
type Operation = (typeof OPERATIONS)[number];
type Timings = Record<Operation, number>;
/** Minor page faults (first touches of fresh memory) while decoding, the cost a fresh mask per call adds. */
interface DecodeFaults {
  decode: number;
  decodeInto: number;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
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

/** Flips each pixel with probability NOISE (geometric gaps between flips). */
function noisyMask(random: () => number): Mask {
  const mask = blobMask(random);
  const logKeep = Math.log(1 - NOISE);
  for (let index = Math.floor(Math.log(random()) / logKeep); index < mask.data.length; index += 1 + Math.floor(Math.log(random()) / logKeep)) {
    mask.data[index] = (mask.data[index] as number) ^ 1;
  }
  return mask;
}

function columnMajor(masks: Mask[]): Buffer {
  const bytes = Buffer.alloc(masks.length * SIDE * SIDE);
  masks.forEach((mask, maskIndex) => {
    const base = maskIndex * SIDE * SIDE;
    for (let y = 0; y < SIDE; y += 1) for (let x = 0; x < SIDE; x += 1) bytes[base + x * SIDE + y] = mask.data[y * SIDE + x] as number;
  });
  return bytes;
}

/** A full garbage collection, so a timed step does not pay for the garbage of the step before it. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Process CPU time (user + system), so a busy shared machine does not count against either side. It
 * also counts V8's background threads (GC sweeping and marking, compilers), so each step starts after a
 * full collection and a pause that lets the sweeper threads finish: no step pays for another's garbage.
 */
async function timed<T>(action: () => T): Promise<{ value: T; milliseconds: number; faults: number }> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const faults = process.resourceUsage().minorPageFault;
  const started = process.cpuUsage();
  const value = action();
  const used = process.cpuUsage(started);
  return { value, milliseconds: (used.user + used.system) / 1000, faults: process.resourceUsage().minorPageFault - faults };
}

/** The five TypeScript operations over one batch, each timed on its own. */
async function runOurs(masks: Mask[], reused: Uint8Array) {
  const encoded = await timed(() => masks.map(encodeRle));
  const rles = encoded.value;
  // A fresh mask per call, dropped after one byte is read: what the C side does (malloc, decode, free).
  const decoded = await timed(() => rles.reduce((sum, rle, index) => sum + (decodeRle(rle).data[index] as number), 0));
  const decodedInto = await timed(() => rles.reduce((sum, rle) => sum + (decodeRleInto(rle, reused).data[0] as number), 0));
  const areas = await timed(() => rles.map(rleArea));
  const ious = await timed(() => rles.map((rle, index) => rleIou(rle, rles[(index + 1) % rles.length] as CocoRle)));
  return { encoded, decoded, decodedInto, areas, ious };
}

function buildCHarness(directory: string): string | null {
  const binary = join(directory, 'coco-rle');
  const source = new URL('./rle-c/coco-rle.c', import.meta.url).pathname;
  const compiled = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (compiled.error !== undefined || compiled.status !== 0) return null;
  return binary;
}

function mismatch(kind: string, what: string, index: number): never {
  throw new Error(`${kind}: ${what} disagree on mask ${index}; the bench compares only equal outputs`);
}

async function measureKind(kind: string, makeMask: (random: () => number) => Mask, harness: string | null, directory: string): Promise<{ ours: Timings; anchor: Timings; runs: number; oursFaults: DecodeFaults; anchorFaults: DecodeFaults }> {
  const random = seededRandom(kind === 'blobs' ? 20261123 : 20261207);
  const ours: Timings = { encode: 0, decode: 0, decodeInto: 0, area: 0, iou: 0 };
  const anchor: Timings = { encode: 0, decode: 0, decodeInto: 0, area: 0, iou: 0 };
  const oursFaults: DecodeFaults = { decode: 0, decodeInto: 0 };
  const anchorFaults: DecodeFaults = { decode: 0, decodeInto: 0 };
  let runs = 0;
  for (let start = 0; start < MASKS; start += BATCH) {
    const masks = Array.from({ length: BATCH }, () => makeMask(random));
    const reused = new Uint8Array(SIDE * SIDE);
    // The first batch runs once untimed: JIT compilation is a one-off cost a C binary does not have.
    if (start === 0) await runOurs(masks, reused);
    const { encoded, decoded, decodedInto, areas, ious } = await runOurs(masks, reused);
    ours.encode += encoded.milliseconds;
    ours.decode += decoded.milliseconds;
    ours.decodeInto += decodedInto.milliseconds;
    oursFaults.decode += decoded.faults;
    oursFaults.decodeInto += decodedInto.faults;
    ours.area += areas.milliseconds;
    ours.iou += ious.milliseconds;
    encoded.value.forEach((rle, index) => {
      if (!Buffer.from(decodeRle(rle).data).equals(Buffer.from((masks[index] as Mask).data))) mismatch(kind, 'decoded pixels', start + index);
    });
    encoded.value.forEach((rle, index) => {
      if (!Buffer.from(decodeRleInto(rle, reused).data).equals(Buffer.from((masks[index] as Mask).data))) mismatch(kind, 'pixels decoded into a reused buffer', start + index);
    });
    let anchorValues: { strings: string[]; ious: number[]; areas: number[] };
    if (harness !== null) {
      const input = join(directory, 'masks.bin');
      const output = join(directory, 'strings.txt');
      writeFileSync(input, columnMajor(masks));
      const timings = JSON.parse(execFileSync(harness, [input, String(BATCH), String(SIDE), String(SIDE), output], { encoding: 'utf8' })) as Timings & {
        decodeFaults: number;
        decodeIntoFaults: number;
      };
      for (const operation of OPERATIONS) anchor[operation] += timings[operation];
      anchorFaults.decode += timings.decodeFaults;
      anchorFaults.decodeInto += timings.decodeIntoFaults;
      const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
      const numbers = lines.slice(BATCH).map((line) => line.split(' ').map(Number));
      anchorValues = { strings: lines.slice(0, BATCH), ious: numbers.map((pair) => pair[0] as number), areas: numbers.map((pair) => pair[1] as number) };
    } else {
      const strings = await timed(() => masks.map(perPixelEncode));
      const pixels = await timed(() => encoded.value.map(perPixelDecode));
      anchor.decodeInto += pixels.milliseconds;
      anchorFaults.decode += pixels.faults;
      anchorFaults.decodeInto += pixels.faults;
      const pixelAreas = await timed(() => encoded.value.map(perPixelArea));
      const pixelIous = await timed(() => encoded.value.map((rle, index) => perPixelIou(rle, encoded.value[(index + 1) % BATCH] as CocoRle)));
      anchor.encode += strings.milliseconds;
      anchor.decode += pixels.milliseconds;
      anchor.area += pixelAreas.milliseconds;
      anchor.iou += pixelIous.milliseconds;
      anchorValues = { strings: strings.value, ious: pixelIous.value, areas: pixelAreas.value };
    }
    encoded.value.forEach((rle, index) => {
      if (rle.counts !== anchorValues.strings[index]) mismatch(kind, 'encoded strings', start + index);
      if (areas.value[index] !== anchorValues.areas[index]) mismatch(kind, 'areas', start + index);
      if (ious.value[index] !== anchorValues.ious[index]) mismatch(kind, 'IoUs', start + index);
    });
    for (const rle of encoded.value) runs += countRuns(rle.counts);
  }
  return { ours, anchor, runs: runs / MASKS, oursFaults, anchorFaults };
}

/** Every character without the continue bit ends one count. */
function countRuns(counts: string): number {
  let runs = 0;
  for (let index = 0; index < counts.length; index += 1) if (((counts.charCodeAt(index) - 48) & 0x20) === 0) runs += 1;
  return runs;
}

export async function run(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'mmevolve-rle-bench-'));
  try {
    const harness = buildCHarness(directory);
    const anchorName = harness === null ? 'per-pixel TypeScript (no C compiler found)' : 'C (bench/rle-c/coco-rle.c, cc -O2)';
    console.log(`${MASKS} masks of ${SIDE}x${SIDE} per kind; anchor: ${anchorName}; CPU ms for all ${MASKS} (IoU: ${MASKS} pairs)`);
    console.log(`${'kind'.padEnd(7)} ${'operation'.padEnd(10)} ${'anchor CPU ms'.padStart(10)} ${'mmevolve CPU ms'.padStart(12)} ${'mmevolve / anchor'.padStart(18)}`);
    for (const [kind, makeMask] of [['blobs', blobMask], ['noisy', noisyMask]] as const) {
      const { ours, anchor, runs, oursFaults, anchorFaults } = await measureKind(kind, makeMask, harness, directory);
      for (const operation of OPERATIONS) {
        const ratio = ours[operation] / anchor[operation];
        console.log(`${kind.padEnd(7)} ${operation.padEnd(10)} ${anchor[operation].toFixed(1).padStart(10)} ${ours[operation].toFixed(1).padStart(12)} ${`×${ratio.toFixed(2)}`.padStart(18)}`);
      }
      console.log(`${kind}: mean ${runs.toFixed(0)} runs per mask`);
      const perMask = (faults: number): string => (faults / MASKS).toFixed(1);
      console.log(
        `${kind}: minor page faults per mask — decode: anchor ${perMask(anchorFaults.decode)}, mmevolve ${perMask(oursFaults.decode)}; ` +
          `decodeInto: anchor ${perMask(anchorFaults.decodeInto)}, mmevolve ${perMask(oursFaults.decodeInto)}`,
      );
    }
    console.log('Every encoded string, decoded mask, area and IoU was checked equal between mmevolve and the anchor.');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
