import { describe, expect, it } from 'vitest';
import { judgeCheckOf, summarizeJudgeChecks } from './judge-check.js';

const arbitration = (decision: 'text' | 'box', verdicts: ['A' | 'B' | 'tie', 'text' | 'box' | 'tie'][]) => ({
  arbitration: { decision, verdicts: verdicts.map(([verdict, winner]) => ({ verdict, winner, shownA: 'text', reason: '', unparsable: false })) },
});

describe('final judge double check', () => {
  it('reads positions, consistency and whether the double check overturned the first verdict', () => {
    // Text shown first wins, then box shown first wins: the position won both times, fallback chose box.
    expect(judgeCheckOf(arbitration('box', [['A', 'text'], ['A', 'box']]))).toEqual({ verdicts: ['A', 'A'], overturned: true, inconsistent: true });
    expect(judgeCheckOf(arbitration('text', [['A', 'text'], ['B', 'text']]))).toEqual({ verdicts: ['A', 'B'], overturned: false, inconsistent: false });
    expect(judgeCheckOf(arbitration('box', [['tie', 'tie'], ['A', 'box']])), 'a first tie would have fallen back the same way').toEqual({ verdicts: ['tie', 'A'], overturned: false, inconsistent: true });
    expect(judgeCheckOf(arbitration('text', [['A', 'text']])), 'single check').toBeUndefined();
    expect(judgeCheckOf({ method: 'single' }), 'no arbitration').toBeUndefined();
  });

  it('measures the first-position share over both orders, with a Wilson interval', () => {
    const checks = [
      judgeCheckOf(arbitration('box', [['A', 'text'], ['A', 'box']])),
      judgeCheckOf(arbitration('text', [['A', 'text'], ['B', 'text']])),
      judgeCheckOf(arbitration('text', [['A', 'text'], ['B', 'text']])),
      undefined,
    ];
    const summary = summarizeJudgeChecks(checks);
    expect(summary).toMatchObject({ doubleChecks: 3, firstWins: 4, secondWins: 2, ties: 0, samePositionBoth: 1, inconsistent: 1, overturned: 1 });
    expect(summary.firstShare).toBeCloseTo(4 / 6, 10);
    const [low, high] = summary.firstShareCi ?? [0, 0];
    expect(low).toBeLessThan(4 / 6);
    expect(high).toBeGreaterThan(4 / 6);
    expect(summarizeJudgeChecks([]).firstShare, 'nothing measured').toBeUndefined();
  });
});
