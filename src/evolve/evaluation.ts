/**
 * Stage 2, evaluation and semantic gate: each phrase → segmenter; instances of at least
 * `minInstancePixels` OR-merged into one mask; confidence = highest kept instance score. Gate: above
 * `passAbove` passes, below `failBelow` fails, otherwise the judge verifies [raw image, overlay]. Published
 * (solver.py _evaluate_step): in that band a confidence above `confirmedAbove` passes whatever the judge
 * answers — it is asked all the same; fix `mllmDecidesGateBand` lets its answer decide the whole band.
 * Masks are cached per phrase, gate decisions per mask hash (two phrases with the same mask ask once).
 */
import { createHash } from 'node:crypto';
import { createMask } from '../core/index.js';
import type { Mask, SegmentInstance } from '../core/index.js';
import { maskArea, orMasks } from '../vision/index.js';
import type { CocoRle } from '../vision/index.js';
import { phraseKey } from './planning.js';
import { overlayColourName } from '../vision/index.js';
import { publishedGatePrompt, verifyMaskPrompt } from './prompts.js';
import { isUnreadableOutput } from './run-accounting.js';
import type { RunContext } from './run-context.js';
import type { GateDecision, PhraseEvaluation } from './trace.js';

export function maskHash(rle: CocoRle): string {
  return createHash('sha1').update(`${rle.size[0]}x${rle.size[1]}:${rle.counts}`).digest('hex');
}

/** OR-merge of the instances with at least `minPixels` pixels, and the highest score among them. */
export function mergeInstances(instances: readonly SegmentInstance[], width: number, height: number, minPixels: number): { mask: Mask; confidence: number; kept: number } {
  const kept = instances.filter((instance) => maskArea(instance.mask) >= minPixels);
  if (kept.length === 0) return { mask: createMask(width, height), confidence: 0, kept: 0 };
  const mask = orMasks(kept.map((instance) => instance.mask), { width, height });
  return { mask, confidence: Math.max(...kept.map((instance) => instance.score)), kept: kept.length };
}

/** The gate without the MLLM: a decision from the confidence, or undefined when it must be verified. */
export function gateByConfidence(confidence: number, area: number, gate: { passAbove: number; failBelow: number }): GateDecision | undefined {
  if (area === 0) return { passed: false, reason: 'empty', cached: false };
  if (confidence > gate.passAbove) return { passed: true, reason: 'confident', cached: false };
  if (confidence < gate.failBelow) return { passed: false, reason: 'unconfident', cached: false };
  return undefined;
}

async function verify(context: RunContext, mask: Mask): Promise<GateDecision> {
  context.counters.verifications += 1;
  const colour = context.overlays.pairColour(mask, mask);
  const overlay = context.overlays.overlay(mask, colour);
  // Published: the planner's refined phrase is the gate's target, with the overlay's colour named.
  const prompt = context.config.fixes.gateSeesQueryOnly
    ? verifyMaskPrompt(context.queryLine)
    : publishedGatePrompt(context.queryLine, context.targetPhrase ?? context.query, overlayColourName(colour));
  try {
    const result = await context.ask('judge', 'verify_mask', { ...prompt, images: [context.image, overlay], masks: [mask], stage: 'verify' });
    const passed = result.value.answer === 'yes';
    return { passed, reason: passed ? 'verified-yes' : 'verified-no', cached: false };
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('verify-unparsable', 'verify_mask answer could not be read; the mask fails the gate (documented fallback)');
    return { passed: false, reason: 'unparsable', cached: false };
  }
}

async function gateDecision(context: RunContext, confidence: number, area: number, mask: Mask, key: string): Promise<GateDecision> {
  const direct = gateByConfidence(confidence, area, context.config.gate);
  if (direct !== undefined) return direct;
  const cached = context.gateCache.get(key);
  if (cached !== undefined) {
    context.counters.gateCacheHits += 1;
    return overruleByConfidence(context, confidence, { ...(await cached), cached: true });
  }
  const pending = verify(context, mask);
  context.gateCache.set(key, pending);
  pending.catch(() => context.gateCache.delete(key));
  return overruleByConfidence(context, confidence, await pending);
}

/** Published: a segmenter-confirmed mask passes the gate whatever the MLLM answered. */
function overruleByConfidence(context: RunContext, confidence: number, decision: GateDecision): GateDecision {
  if (context.config.fixes.mllmDecidesGateBand || !(confidence > context.config.gate.confirmedAbove)) return decision;
  return { passed: true, reason: 'confirmed', cached: decision.cached, ...(decision.reason === 'unparsable' ? {} : { mllmSaid: decision.passed ? 'yes' : 'no' }) };
}

async function evaluateUncached(context: RunContext, phrase: string): Promise<PhraseEvaluation> {
  const { width, height } = context.image;
  const result = await context.segmentText(phrase);
  const merged = mergeInstances(result.instances, width, height, context.config.minInstancePixels);
  const rle = context.rleOf(merged.mask);
  const key = maskHash(rle);
  const mask = context.sameMask(key, merged.mask);
  const area = maskArea(mask);
  const gate = await gateDecision(context, merged.confidence, area, mask, key);
  return {
    phrase,
    mask,
    rle,
    area,
    confidence: merged.confidence,
    instances: merged.kept,
    confirmed: merged.confidence > context.config.gate.confirmedAbove,
    gate,
  };
}

/**
 * Send the not yet evaluated phrases of a generation to the segmenter in one batched request (with the
 * encodeOnce fix; RunContext.prefetchTexts), before evaluatePhrase takes them one by one.
 */
export function prefetchPhrases(context: RunContext, phrases: readonly string[]): void {
  const keys = new Set<string>();
  const fresh: string[] = [];
  for (const phrase of phrases) {
    const key = phraseKey(phrase);
    if (context.phraseCache.has(key) || keys.has(key)) continue;
    keys.add(key);
    fresh.push(phrase);
  }
  context.prefetchTexts(fresh);
}

/** Evaluate a phrase once per run (the cache holds the promise, so concurrent requests share it). */
export async function evaluatePhrase(context: RunContext, phrase: string): Promise<PhraseEvaluation> {
  const key = phraseKey(phrase);
  const cached = context.phraseCache.get(key);
  if (cached !== undefined) {
    context.counters.phraseCacheHits += 1;
    return cached;
  }
  const pending = evaluateUncached(context, phrase);
  context.phraseCache.set(key, pending);
  pending.catch(() => context.phraseCache.delete(key));
  return pending;
}
