/**
 * Stage 3, visual arena (champion/challenger): the valid member with the highest fitness is champion;
 * challengers whose mask IoU with it exceeds `arena.skipIou` are skipped; the rest fight most-different
 * first, at most `arena.maxFights` per generation. The judge sees [raw, overlay A, overlay B] in one
 * colour (alpha 0.5). Scores: champion wins +1/−1, challenger wins −2/+2, tie 0. Published (solver.py):
 * the champion is candidate A (the second image), the judge is told both source phrases and the colour
 * name and answers A or B (task judge_pair_forced); fixes `judgeSeesMasksOnly` / `judgeMayTie` restore
 * our masks-only judge with a tie (task judge_pair).
 */
import { overlayColourName } from '../vision/index.js';
import { judgePairPrompt, publishedJudgePrompt } from './prompts.js';
import { isUnreadableOutput } from './run-accounting.js';
import type { RunContext } from './run-context.js';
import type { Member, Strategies } from './strategies.js';
import type { FightRecord } from './trace.js';

export type PairVerdict = { verdict: 'A' | 'B' | 'tie'; reason: string; unparsable: boolean };

/**
 * One judgement of two masks shown in the same colour, `sources` being the phrases (or "Box: …") they came
 * from; an unreadable verdict is a tie (documented fallback).
 */
export async function judgePair(context: RunContext, first: Member['evaluation']['mask'], second: Member['evaluation']['mask'], stage: string, sources: readonly [string, string]): Promise<PairVerdict> {
  const colour = context.overlays.pairColour(first, second);
  const images = [context.image, context.overlays.overlay(first, colour), context.overlays.overlay(second, colour)];
  const { judgeMayTie, judgeSeesMasksOnly } = context.config.fixes;
  const prompt = judgeSeesMasksOnly ? judgePairPrompt(context.queryLine, judgeMayTie) : publishedJudgePrompt(context.queryLine, sources, overlayColourName(colour), judgeMayTie);
  try {
    if (judgeMayTie) {
      const result = await context.ask('judge', 'judge_pair', { ...prompt, images, masks: [first, second], stage });
      return { verdict: result.value.winner, reason: result.value.reason, unparsable: false };
    }
    const result = await context.ask('judge', 'judge_pair_forced', { ...prompt, images, masks: [first, second], stage });
    return { verdict: result.value.winner, reason: '', unparsable: false };
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('judge-unparsable', `judge answer (${stage}) could not be read; counted as a tie (documented fallback)`);
    return { verdict: 'tie', reason: 'unreadable verdict', unparsable: true };
  }
}

export interface ArenaOutcome {
  champion?: Member;
  fights: FightRecord[];
  skipped: { phrase: string; iou: number }[];
}

/** Runs one generation's fights and applies the score changes to the members' individuals. */
export async function runArena(context: RunContext, strategies: Strategies, valid: readonly Member[], generation: number): Promise<ArenaOutcome> {
  const ranked = strategies.selection.rank(valid);
  const champion = ranked[0];
  if (champion === undefined) return { fights: [], skipped: [] };
  if (!context.config.arena.enabled) return { champion, fights: [], skipped: [] };
  const { fights, skipped } = strategies.selection.pair(champion, ranked.slice(1));
  const scores = context.config.arena;
  const records = await context.map(fights, async (pairing, index): Promise<FightRecord> => {
    const championFirst = strategies.judging.championFirst(index);
    const [shownA, shownB] = championFirst ? [champion, pairing.challenger] : [pairing.challenger, champion];
    const verdict = await judgePair(context, shownA.evaluation.mask, shownB.evaluation.mask, 'arena', [shownA.individual.phrase, shownB.individual.phrase]);
    const winner = verdict.verdict === 'tie' ? 'tie' : (verdict.verdict === 'A') === championFirst ? 'champion' : 'challenger';
    return {
      generation,
      champion: champion.individual.phrase,
      challenger: pairing.challenger.individual.phrase,
      shownA: shownA.individual.phrase,
      shownB: shownB.individual.phrase,
      iou: pairing.iou,
      winner,
      verdict: verdict.verdict,
      reason: verdict.reason,
      unparsable: verdict.unparsable,
    };
  });
  records.forEach((record, index) => {
    const challenger = fights[index]?.challenger;
    if (challenger === undefined) return;
    if (record.winner === 'champion') {
      champion.individual.score += scores.championWins.champion;
      challenger.individual.score += scores.championWins.challenger;
    } else if (record.winner === 'challenger') {
      champion.individual.score += scores.challengerWins.champion;
      challenger.individual.score += scores.challengerWins.challenger;
    } else {
      champion.individual.score += scores.tie;
      challenger.individual.score += scores.tie;
    }
    context.counters.fights += 1;
    context.emit({ type: 'fight-end', generation, champion: record.champion, challenger: record.challenger, winner: record.winner, verdict: record.verdict, shownA: record.shownA, shownB: record.shownB, reason: record.reason });
  });
  return { champion, fights: records, skipped: skipped.map((pairing) => ({ phrase: pairing.challenger.individual.phrase, iou: pairing.iou })) };
}
