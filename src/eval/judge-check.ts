/**
 * The final judge's position bias and what the double check changed, from each sample's final
 * arbitration (evol with final.check 'double': the judge compares the text and box masks twice, order
 * swapped). Per sample the results line keeps the two verdicts' positions and whether the double check
 * overturned the decision the first verdict alone would have made; the summary adds them up. Asking both
 * orders of the same pair cancels the content: an unbiased judge picks the first overlay in half of its
 * decisive verdicts, so the first-position share minus 0.5 is the bias.
 */
import { z } from 'zod';

const arbitrationSchema = z.looseObject({
  decision: z.enum(['text', 'box', 'empty']),
  verdicts: z.array(z.looseObject({ verdict: z.enum(['A', 'B', 'tie']), winner: z.enum(['text', 'box', 'tie']) })),
});
const traceSchema = z.looseObject({ arbitration: arbitrationSchema.optional() });

export const judgeCheckSchema = z.strictObject({
  /** Positions picked, in the order asked (first: text shown as A, second: box shown as A). */
  verdicts: z.array(z.enum(['A', 'B', 'tie'])),
  /** The first verdict alone would have chosen another source than the double check did. */
  overturned: z.boolean(),
  /** The two verdicts did not name the same source (a tie counts as not agreeing). */
  inconsistent: z.boolean(),
});
export type JudgeCheck = z.infer<typeof judgeCheckSchema>;

/** The sample's double check, when its trace holds an arbitration with two verdicts. */
export function judgeCheckOf(trace: object): JudgeCheck | undefined {
  const parsed = traceSchema.safeParse(trace);
  const arbitration = parsed.success ? parsed.data.arbitration : undefined;
  if (arbitration === undefined || arbitration.verdicts.length !== 2) return undefined;
  const [first, second] = arbitration.verdicts;
  if (first === undefined || second === undefined) return undefined;
  const inconsistent = first.winner === 'tie' || first.winner !== second.winner;
  // A first-verdict tie would have fallen back exactly as the inconsistent double check did.
  const overturned = first.winner !== 'tie' && arbitration.decision !== first.winner;
  return { verdicts: [first.verdict, second.verdict], overturned, inconsistent };
}

export interface JudgeCheckSummary {
  /** Samples with a double-checked final arbitration. */
  doubleChecks: number;
  firstWins: number;
  secondWins: number;
  ties: number;
  /** firstWins / (firstWins + secondWins); 0.5 for an unbiased judge. */
  firstShare: number | undefined;
  /** 95% Wilson interval of firstShare. */
  firstShareCi: [number, number] | undefined;
  /** Same position won both orders (the verdict followed the position, not the mask). */
  samePositionBoth: number;
  inconsistent: number;
  overturned: number;
}

function wilson(successes: number, trials: number): [number, number] | undefined {
  if (trials === 0) return undefined;
  const z95 = 1.959964;
  const share = successes / trials;
  const denominator = 1 + (z95 * z95) / trials;
  const centre = (share + (z95 * z95) / (2 * trials)) / denominator;
  const half = (z95 * Math.sqrt((share * (1 - share)) / trials + (z95 * z95) / (4 * trials * trials))) / denominator;
  return [centre - half, centre + half];
}

export function summarizeJudgeChecks(checks: readonly (JudgeCheck | undefined)[]): JudgeCheckSummary {
  const present = checks.filter((check): check is JudgeCheck => check !== undefined);
  const all = present.flatMap((check) => check.verdicts);
  const firstWins = all.filter((verdict) => verdict === 'A').length;
  const secondWins = all.filter((verdict) => verdict === 'B').length;
  const decisive = firstWins + secondWins;
  return {
    doubleChecks: present.length,
    firstWins,
    secondWins,
    ties: all.length - decisive,
    firstShare: decisive === 0 ? undefined : firstWins / decisive,
    firstShareCi: wilson(firstWins, decisive),
    samePositionBoth: present.filter((check) => check.verdicts[0] !== 'tie' && check.verdicts[0] === check.verdicts[1]).length,
    inconsistent: present.filter((check) => check.inconsistent).length,
    overturned: present.filter((check) => check.overturned).length,
  };
}
