/**
 * check_resolution of the simulated MLLM: asked, on reduced images, whether the query needs full resolution.
 * Like a model judging its own view, it answers from what it perceives in the pixels it received: it asks
 * for full resolution when it cannot find the query's target, or when a target it finds is narrower than
 * one of its visual tokens (the side of the pixel square one token covers in its profile). A per-call error
 * flips the answer. It knows nothing of the caller's policy.
 */
import { tokenSide } from '../perception/index.js';
import { rawView } from './mllm-seg-tasks.js';
import type { TaskAnswer, TaskContext } from './task-context.js';

export function checkResolution(context: TaskContext): TaskAnswer {
  const raw = context.images[0];
  let needsFull = true;
  if (raw !== undefined) {
    const view = rawView(context);
    const side = tokenSide(context.profile, raw.image);
    const targets = view.targets.flatMap((index) => view.objects[index] ?? []);
    const tooSmall = targets.some((object) => Math.min(object.box[2] - object.box[0], object.box[3] - object.box[1]) < side);
    needsFull = targets.length === 0 || tooSmall;
  }
  if (context.noise.perCallError(context.rng)) needsFull = !needsFull;
  return { kind: 'json', value: { needsFullResolution: needsFull } };
}
