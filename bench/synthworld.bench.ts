/**
 * SynthWorld generation speed (simulated data): scenes, rendering, queries, VQA problems and a full
 * ReasonSeg export, each timed once on fixed seeds. Prints rates; asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  exportReasonSeg,
  generateScene,
  generateSegQuery,
  generateVqaProblem,
  renderScene,
} from '../src/sim/index.js';
import type { RenderedScene } from '../src/sim/index.js';

function rate(label: string, count: number, milliseconds: number, unit: string): void {
  console.log(`${label.padEnd(34)} ${(count / (milliseconds / 1000)).toFixed(1).padStart(8)} ${unit}/s  (${count} in ${milliseconds.toFixed(0)} ms)`);
}

export async function run(): Promise<void> {
  const scenes = 100;
  let started = performance.now();
  const generated = Array.from({ length: scenes }, (_, index) => generateScene(index + 1));
  rate('generateScene (layout)', scenes, performance.now() - started, 'scenes');

  started = performance.now();
  const rendered: RenderedScene[] = generated.map((scene) => renderScene(scene));
  rate('renderScene', scenes, performance.now() - started, 'scenes');
  const pixels = generated.reduce((sum, scene) => sum + scene.width * scene.height, 0);
  console.log(`mean canvas                        ${(pixels / scenes / 1000).toFixed(0)} kpx, mean objects ${(generated.reduce((sum, scene) => sum + scene.objects.length, 0) / scenes).toFixed(1)}`);

  const rng = createRng(1);
  started = performance.now();
  let queries = 0;
  for (const scene of rendered) {
    for (let draw = 0; draw < 10; draw += 1) {
      generateSegQuery(scene.objects, scene.fullyVisible, rng);
      queries += 1;
    }
  }
  rate('generateSegQuery', queries, performance.now() - started, 'queries');

  started = performance.now();
  for (const scene of rendered) generateVqaProblem(scene.objects, rng);
  rate('generateVqaProblem', scenes, performance.now() - started, 'problems');

  const folder = await mkdtemp(join(tmpdir(), 'synthworld-bench-'));
  try {
    started = performance.now();
    await exportReasonSeg({ n: 50, seed: 1, out: folder });
    rate('exportReasonSeg (jpg + json)', 50, performance.now() - started, 'samples');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
