/**
 * The swappable rules of the search behind tiny interfaces — selection, judging positions, stopping,
 * mutation — and the published rules built from a config. Presets differ only in the config that builds them.
 */
import { maskIou } from '../vision/index.js';
import type { EvolveConfig } from './config.js';
import { mutate } from './mutation.js';
import type { MutationOutcome } from './mutation.js';
import type { RunContext } from './run-context.js';
import type { Individual, PhraseEvaluation, StopDecision } from './trace.js';

/** An individual with its evaluation, as the arena and the stopping rule see it. */
export interface Member {
  individual: Individual;
  evaluation: PhraseEvaluation;
}

export interface Pairing {
  challenger: Member;
  iou: number;
}

export interface SelectionStrategy {
  /** Valid members, best first (the first is the champion). */
  rank(members: readonly Member[]): Member[];
  /** Challengers to fight (most different first) and the ones skipped as near-duplicates of the champion. */
  pair(champion: Member, challengers: readonly Member[]): { fights: Pairing[]; skipped: Pairing[] };
}

export interface JudgingStrategy {
  /** Whether the champion is shown as overlay A in fight `index` of a generation. */
  championFirst(index: number): boolean;
}

export interface StoppingStrategy {
  decide(valid: readonly Member[], generation: number): StopDecision;
}

export interface MutationStrategy {
  /** The next population from the ranked valid members (or the fallback phrase when there are none). */
  next(context: RunContext, ranked: readonly Member[], fallbackPhrase: string | undefined, generation: number, wasted: boolean): Promise<MutationOutcome>;
}

export interface Strategies {
  selection: SelectionStrategy;
  judging: JudgingStrategy;
  stopping: StoppingStrategy;
  mutation: MutationStrategy;
}

/**
 * IoU of two evaluated masks, computed once per pair: the arena pairs the champion with the same
 * challengers and the stopping rule compares the same top masks generation after generation. Masks are
 * immutable once evaluated; the cache holds them weakly.
 */
const iouCache = new WeakMap<PhraseEvaluation['mask'], WeakMap<PhraseEvaluation['mask'], number>>();

export function memberIou(first: Member, second: Member): number {
  const a = first.evaluation.mask;
  const b = second.evaluation.mask;
  const cached = iouCache.get(a)?.get(b) ?? iouCache.get(b)?.get(a);
  if (cached !== undefined) return cached;
  const iou = maskIou(a, b);
  let inner = iouCache.get(a);
  if (inner === undefined) {
    inner = new WeakMap();
    iouCache.set(a, inner);
  }
  inner.set(b, iou);
  return iou;
}

export function fitness(config: EvolveConfig, individual: Individual): number {
  return config.arena.baseFitness + individual.score;
}

/** Highest fitness first; ties: segmenter-confirmed, then higher confidence, then earlier in the population. */
export function rankByFitness(config: EvolveConfig, members: readonly Member[]): Member[] {
  return members
    .map((member, index) => ({ member, index }))
    .sort(
      (a, b) =>
        fitness(config, b.member.individual) - fitness(config, a.member.individual) ||
        Number(b.member.evaluation.confirmed) - Number(a.member.evaluation.confirmed) ||
        b.member.evaluation.confidence - a.member.evaluation.confidence ||
        a.index - b.index,
    )
    .map(({ member }) => member);
}

export function championChallengerSelection(config: EvolveConfig): SelectionStrategy {
  return {
    rank: (members) => rankByFitness(config, members),
    pair(champion, challengers) {
      const scored = challengers.map((challenger) => ({ challenger, iou: memberIou(champion, challenger) }));
      const skipped = scored.filter((pairing) => pairing.iou > config.arena.skipIou);
      const eligible = scored.filter((pairing) => pairing.iou <= config.arena.skipIou);
      // Stable sort: equal IoU keeps population order.
      const fights = [...eligible].sort((a, b) => a.iou - b.iou).slice(0, config.arena.maxFights);
      return { fights, skipped };
    },
  };
}

/**
 * Published (solver.py: images [raw, champion, challenger], P_A = champion): the champion is always
 * candidate A, the second image. Fix: alternate, so a position bias cancels out over the fights.
 */
export function positionJudging(config: EvolveConfig): JudgingStrategy {
  return { championFirst: (index) => !config.fixes.swapArenaPositions || index % 2 === 0 };
}

/** Mean IoU over all pairs of masks (1 for fewer than two masks). */
export function meanPairwiseIou(members: readonly Member[]): number {
  let total = 0;
  let pairs = 0;
  for (let first = 0; first < members.length; first += 1) {
    for (let second = first + 1; second < members.length; second += 1) {
      const a = members[first];
      const b = members[second];
      if (a === undefined || b === undefined) continue;
      total += memberIou(a, b);
      pairs += 1;
    }
  }
  return pairs === 0 ? 1 : total / pairs;
}

export function convergenceStopping(config: EvolveConfig): StoppingStrategy {
  const rules = config.stopping;
  return {
    decide(valid, generation) {
      const ranked = rankByFitness(config, valid);
      const fitnesses = ranked.map((member) => fitness(config, member.individual));
      const spread = fitnesses.length === 0 ? null : Math.max(...fitnesses) - Math.min(...fitnesses);
      const topMeanIou = ranked.length < 2 ? null : meanPairwiseIou(ranked.slice(0, rules.topK));
      const base = { validCount: valid.length, spread, topMeanIou };
      const converged = valid.length >= rules.minValid && spread !== null && spread <= rules.maxSpread && topMeanIou !== null && topMeanIou >= rules.minTopMeanIou;
      if (converged) return { stop: true, reason: 'converged', ...base };
      if (generation >= rules.maxGenerations) return { stop: true, reason: 'max-generations', ...base };
      return { stop: false, reason: 'continue', ...base };
    },
  };
}

/** Best, second best, a refinement of the best, then its variants (published). */
export const semanticMutation: MutationStrategy = { next: mutate };

export function publishedStrategies(config: EvolveConfig): Strategies {
  return { selection: championChallengerSelection(config), judging: positionJudging(config), stopping: convergenceStopping(config), mutation: semanticMutation };
}
