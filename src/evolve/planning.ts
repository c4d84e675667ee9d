/**
 * Stage 1, meta-planning, as solver.py _phase0_meta_planning and run(): the MLLM proposes referring
 * phrases; only the first is kept ("object" when it names none) and refined up to `maxRefinements` times;
 * the refinement history (most refined first) seeds the population; rephrase_variants ("3 distinct noun
 * phrases") of the most refined phrase fill it to `populationSize`. Fixes: `keepOtherPlannedPhrases` adds
 * the other planned phrases after the history; `noPlanNoEvolution` skips the evolution when none is planned.
 */
import { planPhrasesPrompt, rephraseVariantsPrompt, refinePhrasePrompt, rewritePhrasePrompt } from './prompts.js';
import { isUnreadableOutput } from './run-accounting.js';
import type { RunContext } from './run-context.js';
import type { Individual, PhraseOrigin, PlanningRecord } from './trace.js';

/** Phrases compare case- and space-insensitively (the segmenter sees the same prompt). */
export function phraseKey(phrase: string): string {
  return phrase.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Adds phrases not yet present (by phraseKey), keeping order, up to `cap` entries. */
export function addDistinct<T extends { phrase: string }>(list: T[], items: readonly T[], cap: number): T[] {
  const seen = new Set(list.map((item) => phraseKey(item.phrase)));
  for (const item of items) {
    if (list.length >= cap) break;
    const key = phraseKey(item.phrase);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    list.push(item);
  }
  return list;
}

export async function planPhrases(context: RunContext, stage = 'plan'): Promise<string[]> {
  const prompt = planPhrasesPrompt(context.queryLine);
  try {
    const result = await context.ask('mllm', 'plan_phrases', { ...prompt, images: [context.image], stage });
    return result.value.phrases.map((phrase) => phrase.trim()).filter((phrase) => phrase.length > 0);
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('plan-unparsable', 'plan_phrases answer could not be read; treated as no phrase (documented fallback)');
    return [];
  }
}

/** One refine_phrase call: the refined phrase, or undefined for keep (or an unreadable answer). */
export async function refinePhrase(context: RunContext, phrase: string, stage: string): Promise<{ verdict: 'keep' | 'refine'; phrase: string }> {
  const prompt = refinePhrasePrompt(context.queryLine, phrase);
  try {
    const result = await context.ask('mllm', 'refine_phrase', { ...prompt, images: [context.image], stage });
    const refined = result.value.phrase.trim();
    if (result.value.verdict === 'keep' || refined === '' || phraseKey(refined) === phraseKey(phrase)) return { verdict: 'keep', phrase };
    return { verdict: 'refine', phrase: refined };
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('refine-unparsable', `refine_phrase answer for "${phrase}" could not be read; phrase kept (documented fallback)`);
    return { verdict: 'keep', phrase };
  }
}

export async function rephraseVariants(context: RunContext, phrase: string, count: number, stage: string): Promise<string[]> {
  const prompt = rephraseVariantsPrompt(context.queryLine, phrase, count);
  try {
    const result = await context.ask('mllm', 'rephrase_variants', { ...prompt, images: [context.image], stage });
    return result.value.phrases.map((variant) => variant.trim()).filter((variant) => variant.length > 0);
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('variants-unparsable', `rephrase_variants answer for "${phrase}" could not be read; no variants (documented fallback)`);
    return [];
  }
}

/** One rewrite_phrase call (published mutation): always a phrase, the old one when the answer is unreadable or empty. */
export async function rewritePhrase(context: RunContext, phrase: string, stage: string): Promise<string> {
  const prompt = rewritePhrasePrompt(context.queryLine, context.targetPhrase ?? phrase, phrase);
  try {
    const result = await context.ask('mllm', 'rewrite_phrase', { ...prompt, images: [context.image], stage });
    const rewritten = result.value.phrase.trim();
    return rewritten === '' ? phrase : rewritten;
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('rewrite-unparsable', `rewrite_phrase answer for "${phrase}" could not be read; phrase kept (documented fallback)`);
    return phrase;
  }
}

/** The phrase the published code evolves when the planner names nothing. */
export const NOTHING_PLANNED_PHRASE = 'object';

export interface PlanningOutcome {
  population: Individual[];
  record: PlanningRecord;
}

function individual(phrase: string, origin: PhraseOrigin): Individual {
  return { phrase, origin, born: 1, score: 0 };
}

export async function metaPlan(context: RunContext): Promise<PlanningOutcome> {
  const { populationSize, maxRefinements, variantCount, fixes } = context.config;
  const planned = await planPhrases(context);
  const record: PlanningRecord = { queryText: context.queryLine, planned, refinements: [], variants: [], population: [] };
  // Fail-fast (a per-sample option, eval --fail-fast-no-target) stops here too: an empty plan is the answer.
  if (planned[0] === undefined && (fixes.noPlanNoEvolution || context.budget.failFastNoTarget === true)) return { population: [], record };
  const first = planned[0] ?? NOTHING_PLANNED_PHRASE;
  if (planned[0] === undefined) record.nothingPlanned = true;

  const history = [first];
  let current = first;
  for (let step = 0; step < maxRefinements; step += 1) {
    const outcome = await refinePhrase(context, current, 'refine');
    record.refinements.push({ phrase: current, verdict: outcome.verdict, result: outcome.phrase });
    if (outcome.verdict === 'keep' || history.some((earlier) => phraseKey(earlier) === phraseKey(outcome.phrase))) break;
    history.push(outcome.phrase);
    current = outcome.phrase;
  }
  record.lastPlannedPhrase = current;
  context.targetPhrase = current;

  // Most refined first: it is the planner's best statement of the target.
  const seeds = history.map((phrase, index) => individual(phrase, index === 0 ? 'plan' : 'refine')).reverse();
  const population = addDistinct<Individual>([], seeds, populationSize);
  if (fixes.keepOtherPlannedPhrases) addDistinct(population, planned.slice(1).map((phrase) => individual(phrase, 'plan')), populationSize);
  if (population.length < populationSize) {
    const variants = await rephraseVariants(context, current, variantCount, 'variants');
    record.variants = variants;
    addDistinct(population, variants.map((phrase) => individual(phrase, 'variant')), populationSize);
  }
  record.population = population.map((member) => member.phrase);
  return { population, record };
}
