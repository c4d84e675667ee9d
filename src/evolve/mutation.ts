/**
 * Stage 5, semantic mutation (solver.py run, "Reproduction"): the next generation is the best, the second
 * best (both keep their arena score), the best rewritten towards the query's instance (rewrite_phrase,
 * always a phrase), then `variantCount` distinct variants of the best; deduplicated and capped at
 * `populationSize`. With no valid individual the last planned phrase stands in for the best. Fix
 * `mutationMayKeep`: refine_phrase instead, whose keep verdict adds no new phrase.
 */
import { addDistinct, refinePhrase, rephraseVariants, rewritePhrase } from './planning.js';
import type { RunContext } from './run-context.js';
import type { Member } from './strategies.js';
import type { Individual, MutationRecord } from './trace.js';

export interface MutationOutcome {
  population: Individual[];
  record: MutationRecord;
}

export async function mutate(
  context: RunContext,
  ranked: readonly Member[],
  fallbackPhrase: string | undefined,
  generation: number,
  wasted: boolean,
): Promise<MutationOutcome> {
  const cap = context.config.populationSize;
  const best = ranked[0]?.individual;
  const second = ranked[1]?.individual;
  const parent = best?.phrase ?? fallbackPhrase;
  const record: MutationRecord = { parents: [best, second].flatMap((member) => (member === undefined ? [] : [member.phrase])), variants: [], next: [], fromFallback: best === undefined, wasted };
  if (parent === undefined) return { population: [], record };

  const born = generation + 1;
  const carried: Individual[] = [best, second].flatMap((member) => (member === undefined ? [] : [{ ...member, origin: 'carried' as const }]));
  if (best === undefined) carried.push({ phrase: parent, origin: 'fallback', born, score: 0 });
  const { variantCount, fixes } = context.config;
  const stage = wasted ? 'mutate-wasted' : 'mutate';
  const refine = async (): Promise<{ verdict: 'keep' | 'refine'; phrase: string }> =>
    fixes.mutationMayKeep ? refinePhrase(context, parent, stage) : { verdict: 'refine', phrase: await rewritePhrase(context, parent, stage) };
  const [refined, variants] = await Promise.all(
    fixes.concurrentStages
      ? [refine(), rephraseVariants(context, parent, variantCount, stage)]
      : [await refine(), await rephraseVariants(context, parent, variantCount, stage)],
  );
  if (refined.verdict === 'refine') record.refined = refined.phrase;
  record.variants = variants;
  const population = addDistinct<Individual>([], carried, cap);
  if (refined.verdict === 'refine') addDistinct(population, [{ phrase: refined.phrase, origin: 'mutation-refine', born, score: 0 }], cap);
  addDistinct(population, variants.map((phrase) => ({ phrase, origin: 'mutation-variant' as const, born, score: 0 })), cap);
  record.next = population.map((member) => member.phrase);
  return { population, record };
}
