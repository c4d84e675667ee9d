/**
 * Segmentation tasks of the simulated MLLM (plan, refine, variants, verify, judge, box, zoom): answers
 * derived from the perceived objects and the parsed query. Each role (planner, verifier, judge) reads the
 * query through its own latent belief (model-reading.ts), which persists across calls, plus small
 * per-call noise; the judge and verifier see overlays through pixel perception only.
 */
import { readLabelledLine } from '../../core/index.js';
import type { Box } from '../../core/index.js';
import { recoverOverlayMask } from '../perception/index.js';
import { COLOURS, SHAPES, canonicalPhrase, phraseText, phraseToSpec, resolveQuery } from '../world/index.js';
import type { ObjectView, QuerySpec, Rng } from '../world/index.js';
import { rememberBounded } from './bounded-cache.js';
import type { SeenImage } from './image-input.js';
import { viewQuery } from './task-context.js';
import { latentBelief, maskPixelCount, overlayQuality, pickDistractor } from './model-reading.js';
import type { QueryView, TaskAnswer, TaskContext } from './task-context.js';

export function rawView(context: TaskContext): QueryView {
  const raw = context.images[0];
  return viewQuery(raw === undefined ? [] : raw.objects(), readLabelledLine(context.text, 'Query'));
}

function queryLine(context: TaskContext): string {
  return readLabelledLine(context.text, 'Query') ?? '';
}

/**
 * The object the planner talks about: its latent belief about the target (a distractor when it misreads
 * the query, the same in every call), or a fresh distractor on a per-call error. Undefined: no target seen.
 */
export function chosenObject(context: TaskContext, view: QueryView): number | undefined {
  const belief = latentBelief(context, 'planner', context.images[0], queryLine(context), view);
  const believed = belief.targets[0];
  if (believed === undefined) return undefined;
  if (context.noise.perCallError(context.rng)) return pickDistractor(view, context.rng) ?? believed;
  return believed;
}

/** A colour+shape pair the image does not contain: what a hallucinating model names. */
function absentPhrase(objects: readonly ObjectView[], rng: Rng): string {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const colour = rng.pick(COLOURS).name;
    const shape = rng.pick(SHAPES);
    if (!objects.some((object) => object.colour === colour && object.shape === shape)) return `the ${colour} ${shape}`;
  }
  return 'the grey umbrella';
}

function maybeHallucinate(context: TaskContext, objects: readonly ObjectView[], phrases: string[]): string[] {
  if (!context.noise.hallucination(context.rng)) return phrases;
  const position = context.rng.int(0, phrases.length);
  return [...phrases.slice(0, position), absentPhrase(objects, context.rng), ...phrases.slice(position)];
}

/** Distinct phrases that resolve to exactly this object, shortest spec first. */
export function uniquePhrases(objects: readonly ObjectView[], index: number): string[] {
  const object = objects[index];
  if (object === undefined) return [];
  const specs: QuerySpec[] = [
    { target: { colour: object.colour, shape: object.shape } },
    { target: { shape: object.shape } },
    { target: { colour: object.colour } },
  ];
  const phrases = [canonicalPhrase(objects, index)];
  for (const spec of specs) {
    const found = resolveQuery(spec, objects);
    if (found.length === 1 && found[0] === index) phrases.push(phraseText(spec));
  }
  phrases.push(`${object.colour} ${object.shape}`);
  return [...new Set(phrases)];
}

export function planPhrases(context: TaskContext): TaskAnswer {
  const view = rawView(context);
  const chosen = chosenObject(context, view);
  // No target in view: an empty list (tasks.ts documents it as "sees no such object").
  const phrases = chosen === undefined ? [] : uniquePhrases(view.objects, chosen).slice(0, 2);
  return { kind: 'json', value: { phrases: maybeHallucinate(context, view.objects, phrases) } };
}

export function refinePhrase(context: TaskContext): TaskAnswer {
  const view = rawView(context);
  const phrase = readLabelledLine(context.text, 'Phrase') ?? '';
  const spec = phraseToSpec(phrase);
  const resolved = spec === null ? [] : resolveQuery(spec, view.objects);
  const chosen = chosenObject(context, view);
  // Keep a phrase that already picks out exactly what the planner believes is the target.
  if (chosen === undefined || (resolved.length === 1 && resolved[0] === chosen)) return { kind: 'json', value: { verdict: 'keep', phrase } };
  return { kind: 'json', value: { verdict: 'refine', phrase: canonicalPhrase(view.objects, chosen) } };
}

export function rephraseVariants(context: TaskContext): TaskAnswer {
  const view = rawView(context);
  const phrase = readLabelledLine(context.text, 'Phrase') ?? '';
  const spec = phraseToSpec(phrase);
  const resolved = spec === null ? [] : resolveQuery(spec, view.objects);
  const subject = resolved[0] ?? chosenObject(context, view);
  const variants = subject === undefined ? [] : uniquePhrases(view.objects, subject).filter((variant) => variant !== phrase.trim());
  return { kind: 'json', value: { phrases: maybeHallucinate(context, view.objects, variants.slice(0, 3)) } };
}

/** Recovered overlay masks by (raw, overlay) content: the arena shows the same overlays again and again. */
const recovered = new Map<string, ReturnType<typeof recoverOverlayMask>>();
const RECOVERED_LIMIT = 256;

function overlayMask(raw: SeenImage, overlay: SeenImage): ReturnType<typeof recoverOverlayMask> {
  const key = `${raw.key}|${overlay.key}`;
  const cached = recovered.get(key);
  if (cached !== undefined) return cached;
  const mask = recoverOverlayMask(raw.image, overlay.image);
  return rememberBounded(recovered, key, mask, RECOVERED_LIMIT);
}

/**
 * verify_mask (and the agent's examine step): "yes" when the overlay's perceived quality against the
 * verifier's latent belief, plus per-call perception noise, reaches acceptQuality; a per-call error flips it.
 */
export function verifyMask(context: TaskContext): TaskAnswer {
  const [raw, overlay] = context.images;
  if (raw === undefined || overlay === undefined) return { kind: 'json', value: { answer: 'no' } };
  const view = rawView(context);
  const belief = latentBelief(context, 'verifier', raw, queryLine(context), view);
  const quality = overlayQuality(view.objects, overlayMask(raw, overlay), belief.targets) + context.noise.perceptionNoise(context.rng, 'verifier');
  const accepted = quality >= context.noise.config.verification.acceptQuality;
  const answer = accepted !== context.noise.perCallError(context.rng);
  return { kind: 'json', value: { answer: answer ? 'yes' : 'no' } };
}

/**
 * judge_pair: both overlays read through pixel perception against the judge's latent belief; the noise
 * model turns the two qualities into a pick (perception noise, unsure → position bias or tie, a per-call
 * preference for the larger mask); a per-call error swaps the pick.
 */
export function judgePair(context: TaskContext): TaskAnswer {
  const [raw, first, second] = context.images;
  if (raw === undefined || first === undefined || second === undefined) {
    return { kind: 'json', value: { winner: 'tie', reason: 'Two overlays are needed to compare (simulated judge).' } };
  }
  const view = rawView(context);
  const belief = latentBelief(context, 'judge', raw, queryLine(context), view);
  const maskA = overlayMask(raw, first);
  const maskB = overlayMask(raw, second);
  const quality = [overlayQuality(view.objects, maskA, belief.targets), overlayQuality(view.objects, maskB, belief.targets)] as const;
  let winner = context.noise.judgePair(context.rng, quality, [maskPixelCount(maskA), maskPixelCount(maskB)]);
  if (winner !== 'tie' && context.noise.perCallError(context.rng)) winner = winner === 'A' ? 'B' : 'A';
  if (winner === 'tie') return { kind: 'json', value: { winner, reason: 'Both overlays cover the same region.' } };
  return { kind: 'json', value: { winner, reason: `Overlay ${winner} covers the target more accurately.` } };
}

/**
 * judge_pair_forced: the same judgement, but the schema allows no tie — where the judge would call one it
 * falls back on its position bias, as a forced-choice judge does.
 */
export function judgePairForced(context: TaskContext): TaskAnswer {
  const answer = judgePair(context);
  const winner = answer.kind === 'json' ? (answer.value as { winner?: string }).winner : undefined;
  if (winner === 'A' || winner === 'B') return { kind: 'json', value: { winner } };
  return { kind: 'json', value: { winner: context.rng.chance(context.noise.config.judging.positionBias) ? 'A' : 'B' } };
}

/** rewrite_phrase: refine_phrase's judgement, answered as a phrase every time (a kept phrase is repeated). */
export function rewritePhrase(context: TaskContext): TaskAnswer {
  const answer = refinePhrase(context);
  const phrase = answer.kind === 'json' ? (answer.value as { phrase?: string }).phrase : undefined;
  return { kind: 'json', value: { phrase: phrase ?? readLabelledLine(context.text, 'Phrase') ?? '' } };
}

function jitteredBox(context: TaskContext, box: Box, width: number, height: number): Box {
  const side = Math.max(box[2] - box[0], box[3] - box[1]);
  const clampX = (value: number): number => Math.min(width, Math.max(0, value));
  const clampY = (value: number): number => Math.min(height, Math.max(0, value));
  const x1 = clampX(box[0] + context.noise.boxJitter(context.rng, side));
  const y1 = clampY(box[1] + context.noise.boxJitter(context.rng, side));
  const x2 = clampX(box[2] + context.noise.boxJitter(context.rng, side));
  const y2 = clampY(box[3] + context.noise.boxJitter(context.rng, side));
  return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
}

export function predictBox(context: TaskContext): TaskAnswer {
  const raw = context.images[0];
  const view = rawView(context);
  const chosen = chosenObject(context, view);
  const object = chosen === undefined ? undefined : view.objects[chosen];
  if (raw === undefined || object === undefined) return { kind: 'json', value: { boxes: [] } };
  const size = { width: raw.image.width, height: raw.image.height };
  const box = context.profile.toModelBox(jitteredBox(context, object.box, size.width, size.height), size);
  return { kind: 'json', value: { boxes: [{ bbox_2d: [...box], label: canonicalPhrase(view.objects, chosen ?? 0).replace(/^the /, '') }] } };
}

export function zoomRegion(context: TaskContext): TaskAnswer {
  const raw = context.images[0];
  if (raw === undefined) return { kind: 'json', value: { bbox_2d: [0, 0, 0, 0] } };
  const size = { width: raw.image.width, height: raw.image.height };
  const question = (readLabelledLine(context.text, 'Question') ?? context.text).toLowerCase();
  const mentioned = raw.objects().filter((object) => question.includes(object.colour) || question.includes(object.shape));
  const boxes = mentioned.length > 0 ? mentioned.map((object) => object.box) : [[0, 0, size.width, size.height] as const];
  const union: Box = [
    Math.min(...boxes.map((box) => box[0])),
    Math.min(...boxes.map((box) => box[1])),
    Math.max(...boxes.map((box) => box[2])),
    Math.max(...boxes.map((box) => box[3])),
  ];
  return { kind: 'json', value: { bbox_2d: [...context.profile.toModelBox(jitteredBox(context, union, size.width, size.height), size)] } };
}
