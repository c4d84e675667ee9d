/**
 * Successive SynthWorld scenes whose VQA problem carries a given trap: the problem streams that end-to-end
 * memory tests feed the simulated MLLM (with TRAP_ALWAYS_NOISE it falls into the trap unless a lesson in
 * its context addresses it).
 */
import { renderScene } from './render.js';
import type { RenderedScene } from './render.js';
import { createRng } from './rng.js';
import { generateScene } from './scene.js';
import { generateVqaProblem } from './vqa.js';
import type { VqaProblem } from './vqa.js';
import type { VqaTrap } from './vqa-solve.js';

export interface TrapScene {
  readonly seed: number;
  /** A 320×240 scene. */
  readonly rendered: RenderedScene;
  readonly problem: VqaProblem;
}

/** The first `count` scenes (seeds 1, 2, … below `seedLimit`) whose problem contains `trap`; fewer if the seeds run out. */
export function scenesWithTrap(trap: VqaTrap, count: number, seedLimit = 500): TrapScene[] {
  const found: TrapScene[] = [];
  for (let seed = 1; found.length < count && seed < seedLimit; seed += 1) {
    const rendered = renderScene(generateScene(seed, { width: 320, height: 240 }));
    const problem = generateVqaProblem(rendered.objects, createRng(seed + 7), trap);
    if (problem.trap !== trap) continue;
    found.push({ seed, rendered, problem });
  }
  return found;
}
