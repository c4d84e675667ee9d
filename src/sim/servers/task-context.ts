/** What a simulated MLLM knows when it answers one request: the messages' text and images, nothing else. */
import type { ModelProfile } from '../../protocols/index.js';
import type { TaskName } from '../../core/index.js';
import type { ModelRole, NoiseModel } from '../noise/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { parseQuery, resolveQuery, querySteps } from '../world/index.js';
import type { QuerySpec, Rng } from '../world/index.js';
import type { SeenImage } from './image-input.js';

export interface ChatTurn {
  role: string;
  text: string;
  images: SeenImage[];
  /** Per image, the text part right before it (a video frame's `<3.5 seconds>` timestamp), if any. */
  imageLabels: (string | undefined)[];
}

export interface TaskContext {
  task: TaskName;
  /** Text of the last user message (labelled lines live here). */
  text: string;
  /** Images of the last user message, in order (raw first, then overlays). */
  images: SeenImage[];
  /** Per image of the last user message, the text part right before it (video timestamps), if any. */
  imageLabels: (string | undefined)[];
  /** Every turn, for multi-turn tasks (agent_step). */
  turns: ChatTurn[];
  noise: NoiseModel;
  /** Per-call RNG, seeded from the request. */
  rng: Rng;
  /**
   * The latent RNG of a model role for (raw image content, subject text, server seed): the same in every
   * call about that image and query, so a misreading drawn from it persists across calls.
   */
  latent(role: ModelRole, image: SeenImage | undefined, subject: string): Rng;
  profile: ModelProfile;
}

/** A structured answer (serialised to JSON) or free text. */
export type TaskAnswer = { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

export interface QueryView {
  objects: PerceivedObject[];
  spec: QuerySpec | null;
  /** Indices of the objects the query refers to, resolved on what was perceived. */
  targets: number[];
  /** Inference steps of the query (0 for a plain referring phrase, 2 when unparseable). */
  steps: number;
}

/** Perceive the raw image and resolve the `Query:` line against it. */
export function viewQuery(objects: PerceivedObject[], query: string | undefined): QueryView {
  const spec = query === undefined ? null : parseQuery(query);
  if (spec === null) return { objects, spec, targets: [], steps: 2 };
  return { objects, spec, targets: resolveQuery(spec, objects), steps: querySteps(spec) };
}
