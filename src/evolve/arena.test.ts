import { describe, expect, it } from 'vitest';
import type { RecordingMllmClient } from '../backends/__tests__/recording-mocks.js';
import type { Mask } from '../core/index.js';
import { encodeRle, maskArea } from '../vision/index.js';
import { runArena } from './arena.js';
import { resolveEvolveConfig } from './config.js';
import { RunContext } from './run-context.js';
import { convergenceStopping, publishedStrategies } from './strategies.js';
import type { Member } from './strategies.js';
import { phraseSegmenter, rectangle, scriptedMllm, taskOf, testImage, userText } from './__tests__/support.js';

function member(phrase: string, mask: Mask, score = 0, confidence = 0.9): Member {
  return {
    individual: { phrase, origin: 'plan', born: 1, score },
    evaluation: { phrase, mask, rle: encodeRle(mask), area: maskArea(mask), confidence, instances: 1, confirmed: confidence > 0.6, gate: { passed: true, reason: 'confident', cached: false } },
  };
}

function context(mllm: RecordingMllmClient, fixes: Record<string, boolean> = {}): RunContext {
  return new RunContext(testImage(), 'the red cup', resolveEvolveConfig('published', { fixes }), { mllm, segmenter: phraseSegmenter({}) }, true, undefined, undefined);
}

/** A judge that picks whichever overlay (A or B) covers `area` pixels: it follows the mask, not the position. */
function judgeFavouring(area: number): RecordingMllmClient {
  return scriptedMllm({
    judge_pair_forced: (request) => {
      const [, overlayA] = request.images ?? [];
      const raw = testImage();
      let changedA = 0;
      if (overlayA !== undefined && 'data' in overlayA) for (let index = 0; index < raw.data.length; index += 3) if (overlayA.data[index] !== raw.data[index]) changedA += 1;
      return { winner: Math.abs(changedA - area) < 5 ? 'A' : 'B' };
    },
  });
}

describe('visual arena', () => {
  it('published: shows the champion as candidate A (the second image) and the challenger as B', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20), 1);
    const challenger = member('challenger', rectangle(30, 0, 10, 10));
    const mllm = judgeFavouring(400);
    const outcome = await runArena(context(mllm), publishedStrategies(resolveEvolveConfig('published')), [champion, challenger], 1);
    expect(outcome.fights.map((fight) => [fight.shownA, fight.shownB]), 'solver.py: images [raw, champion, challenger], P_A = champion').toEqual([['champion', 'challenger']]);
    expect(outcome.fights[0]?.winner, 'the judge picked the 400-pixel mask, shown as A').toBe('champion');
  });

  it('published: the judge sees both source phrases and the overlay colour name, and may answer only A or B', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20), 1);
    const mllm = scriptedMllm({ judge_pair_forced: () => ({ winner: 'A' }) });
    await runArena(context(mllm), publishedStrategies(resolveEvolveConfig('published')), [champion, member('the left cup', rectangle(30, 0, 10, 10))], 1);
    const request = mllm.calls[0];
    expect(request === undefined ? undefined : taskOf(request), 'task judge_pair_forced').toBe('judge_pair_forced');
    const text = userText(request ?? { messages: [] });
    expect(text).toContain('Candidate A: champion');
    expect(text).toContain('Candidate B: the left cup');
    expect(text).toMatch(/Overlay colour: (red|green|blue|yellow|magenta|cyan|orange|purple|spring green|rose)\n/);
    const winner = request?.schema?.schema.safeParse({ winner: 'tie' });
    expect(winner?.success, 'the response schema refuses a tie').toBe(false);
    expect(request?.schema?.schema.safeParse({ winner: 'B' }).success).toBe(true);
  });

  it('improved: the judge sees the masks only and may call a tie (fixes judgeSeesMasksOnly, judgeMayTie)', async () => {
    const mllm = scriptedMllm({ judge_pair: () => ({ winner: 'tie', reason: 'same' }) });
    const fixes = { judgeSeesMasksOnly: true, judgeMayTie: true };
    const outcome = await runArena(context(mllm, fixes), publishedStrategies(resolveEvolveConfig('published', { fixes })), [member('champion', rectangle(0, 0, 20, 20)), member('other', rectangle(30, 0, 10, 10))], 1);
    expect(outcome.fights[0]?.winner).toBe('tie');
    const text = userText(mllm.calls[0] ?? { messages: [] });
    expect(text).not.toContain('Candidate A:');
    expect(text).not.toContain('champion');
  });

  it('scores a champion win +1/−1 and a challenger win −2/+2', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20), 1);
    const weak = member('weak', rectangle(30, 0, 10, 10));
    const strong = member('strong', rectangle(40, 20, 20, 20));
    // Scripted verdicts: the first fight goes to candidate A (the champion), the second to B (the challenger).
    const mllm = scriptedMllm({ judge_pair_forced: (_request, index) => ({ winner: index === 0 ? 'A' : 'B' }) });
    const outcome = await runArena(context(mllm), publishedStrategies(resolveEvolveConfig('published')), [champion, weak, strong], 1);
    // Published order: champion shown as A. Fight 0 (most different first) is weak or strong.
    expect(outcome.fights.map((fight) => fight.shownA)).toEqual(['champion', 'champion']);
    const first = outcome.fights[0];
    const second = outcome.fights[1];
    expect(first?.winner).toBe('champion');
    expect(second?.winner).toBe('challenger');
    expect(champion.individual.score, 'start 1, +1 then −2').toBe(0);
    const loser = first?.challenger === 'weak' ? weak : strong;
    const winner = loser === weak ? strong : weak;
    expect(loser.individual.score).toBe(-1);
    expect(winner.individual.score).toBe(2);
  });

  it('leaves scores unchanged on a tie or an unreadable verdict', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20));
    const other = member('other', rectangle(30, 0, 10, 10));
    const mllm = scriptedMllm({ judge_pair_forced: () => 'neither' });
    const outcome = await runArena(context(mllm), publishedStrategies(resolveEvolveConfig('published')), [champion, other], 1);
    expect(outcome.fights[0]).toMatchObject({ winner: 'tie', unparsable: true });
    expect(outcome.fights[0]?.winner).toBe('tie');
    expect([champion.individual.score, other.individual.score]).toEqual([0, 0]);
  });

  it('skips challengers whose mask IoU with the champion exceeds 0.85 and fights the most different first, at most twice', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20), 1);
    const twin = member('twin', rectangle(0, 0, 20, 19));
    const near = member('near', rectangle(0, 0, 20, 10));
    const far = member('far', rectangle(40, 20, 20, 20));
    const middle = member('middle', rectangle(10, 0, 20, 20));
    const mllm = scriptedMllm({ judge_pair_forced: () => ({ winner: 'A' }) });
    const outcome = await runArena(context(mllm), publishedStrategies(resolveEvolveConfig('published')), [champion, twin, near, far, middle], 1);
    expect(outcome.skipped.map((skip) => skip.phrase)).toEqual(['twin']);
    expect(outcome.skipped[0]?.iou).toBeCloseTo(0.95, 5);
    expect(outcome.fights.map((fight) => fight.challenger), 'IoU 0 (far), then 1/3 (middle); near (0.5) waits').toEqual(['far', 'middle']);
    expect(mllm.calls.length).toBe(2);
  });

  it('alternates the champion between overlay A and B when the position fix is on', async () => {
    const champion = member('champion', rectangle(0, 0, 20, 20), 1);
    const mllm = judgeFavouring(400);
    const outcome = await runArena(
      context(mllm, { swapArenaPositions: true }),
      publishedStrategies(resolveEvolveConfig('published', { fixes: { swapArenaPositions: true } })),
      [champion, member('far', rectangle(40, 20, 10, 10)), member('other', rectangle(20, 30, 10, 10))],
      1,
    );
    expect(outcome.fights.map((fight) => fight.shownA)).toEqual(['champion', 'other']);
    expect(outcome.fights.map((fight) => fight.winner), 'the judge prefers the champion in both positions').toEqual(['champion', 'champion']);
    expect(champion.individual.score).toBe(3);
  });

  it('does not fight when the arena is switched off', async () => {
    const mllm = scriptedMllm({});
    const config = resolveEvolveConfig('published', { arena: { enabled: false } });
    const run = new RunContext(testImage(), 'q', config, { mllm, segmenter: phraseSegmenter({}) }, true, undefined, undefined);
    const outcome = await runArena(run, publishedStrategies(config), [member('a', rectangle(0, 0, 10, 10)), member('b', rectangle(30, 30, 10, 10))], 1);
    expect(outcome.fights).toEqual([]);
    expect(outcome.champion?.individual.phrase).toBe('a');
  });
});

describe('stopping rule', () => {
  const stopping = convergenceStopping(resolveEvolveConfig('published'));

  it('stops when two or more valid individuals agree (spread ≤ 3, top-3 mean IoU ≥ 0.95)', () => {
    const decision = stopping.decide([member('a', rectangle(0, 0, 20, 20), 3), member('b', rectangle(0, 0, 20, 20), 0), member('c', rectangle(0, 0, 20, 20), 1)], 1);
    expect(decision).toEqual({ stop: true, reason: 'converged', validCount: 3, spread: 3, topMeanIou: 1 });
  });

  it('continues when the fitness spread exceeds 3', () => {
    const decision = stopping.decide([member('a', rectangle(0, 0, 20, 20), 2), member('b', rectangle(0, 0, 20, 20), -2)], 1);
    expect(decision.stop).toBe(false);
    expect(decision.spread).toBe(4);
  });

  it('continues when the top-3 masks disagree, and stops at the generation cap', () => {
    const valid = [member('a', rectangle(0, 0, 20, 20)), member('b', rectangle(0, 0, 20, 18))];
    expect(stopping.decide(valid, 1)).toMatchObject({ stop: false, reason: 'continue' });
    expect(stopping.decide(valid, 2)).toMatchObject({ stop: true, reason: 'max-generations' });
    expect(stopping.decide([member('a', rectangle(0, 0, 20, 20))], 1), 'one valid individual is not enough').toMatchObject({ stop: false });
  });
});
