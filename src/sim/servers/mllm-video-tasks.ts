/**
 * locate_time of the simulated MLLM (SIMULATED): the images are video frames, each read as any image is
 * (perceived objects, the parsed `Query:`), with the text part right before it as its time (the request's
 * own timestamps; nothing comes from a scene file). Its answer is the time of the frame where the object it
 * takes for the target shows the most pixels, null when no frame shows one.
 * It errs as a real model does: the planner's latent misreading (drawn once per first frame and query, so it
 * persists across calls; harder queries are misread more often) makes it follow a look-alike — a distractor's
 * colour and shape — through the clip; a per-call error names a neighbouring frame. How it writes the time
 * (echoing the timestamp, "N seconds", or HH:MM:SS) is a latent habit too.
 */
import { readLabelledLine } from '../../core/index.js';
import { formatHms, formatOneDecimalLikePython, parseTemporalPoint } from '../../protocols/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { latentBelief } from './model-reading.js';
import { viewQuery } from './task-context.js';
import type { QueryView, TaskAnswer, TaskContext } from './task-context.js';

/** A frame without a readable timestamp: its place at the 2 fps most video models sample at. */
const ASSUMED_SECONDS_PER_FRAME = 0.5;
const TIME_STYLES = ['echo', 'seconds', 'hms'] as const;

interface Look {
  colour: string;
  shape: string;
}

function visiblePixels(objects: readonly PerceivedObject[], indices: readonly number[]): number {
  return indices.reduce((sum, index) => sum + (objects[index]?.area ?? 0), 0);
}

function pixelsOfLooks(objects: readonly PerceivedObject[], looks: readonly Look[]): number {
  return objects.filter((object) => looks.some((look) => look.colour === object.colour && look.shape === object.shape)).reduce((sum, object) => sum + object.area, 0);
}

function frameSeconds(label: string | undefined, position: number): number {
  if (label !== undefined) {
    try {
      return parseTemporalPoint(label);
    } catch {
      // Not a timestamp (some other text before the image): fall back to the frame's place.
    }
  }
  return position * ASSUMED_SECONDS_PER_FRAME;
}

export function locateTime(context: TaskContext): TaskAnswer {
  const query = readLabelledLine(context.text, 'Query') ?? '';
  const frames = context.images;
  const first = frames[0];
  if (first === undefined) return { kind: 'json', value: { time: null } };
  const views: QueryView[] = frames.map((frame) => viewQuery(frame.objects(), query));
  // The belief is formed on the frame where the query's target shows most (else the first) and held for the clip.
  const targetPixels = views.map((view) => visiblePixels(view.objects, view.targets));
  const anchor = targetPixels.reduce((best, pixels, position) => (pixels > (targetPixels[best] ?? 0) ? position : best), 0);
  const anchorView = views[anchor] as QueryView;
  const belief = latentBelief(context, 'planner', first, query, anchorView);
  const looks: Look[] = belief.targets.flatMap((index) => {
    const object = anchorView.objects[index];
    return object === undefined ? [] : [{ colour: object.colour, shape: object.shape }];
  });
  const visibility = views.map((view) => (belief.misread ? pixelsOfLooks(view.objects, looks) : visiblePixels(view.objects, view.targets)));
  let best = 0;
  visibility.forEach((pixels, position) => {
    if (pixels > (visibility[best] ?? 0)) best = position;
  });
  if ((visibility[best] ?? 0) === 0) return { kind: 'json', value: { time: null } };
  if (context.noise.perCallError(context.rng) && frames.length > 1) {
    best = best === 0 ? 1 : best === frames.length - 1 ? best - 1 : best + (context.rng.chance(0.5) ? 1 : -1);
  }
  const label = context.imageLabels[best];
  const seconds = frameSeconds(label, best);
  const style = context.latent('planner', first, `time style|${query}`).pick(TIME_STYLES);
  const time = style === 'echo' && label !== undefined ? label.trim() : style === 'hms' ? formatHms(seconds) : `${formatOneDecimalLikePython(seconds)} seconds`;
  return { kind: 'json', value: { time } };
}
