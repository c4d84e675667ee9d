import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMask } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { digestCalls } from './call-digest.js';
import { exportPairs } from './export-pairs.js';
import type { GspoGroup, PreferencePair } from './export-pairs.js';

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-pairs-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A 4×4 mask with pixel `index` set: distinct RLEs per phrase. */
function rle(index: number) {
  const mask = createMask(4, 4);
  mask.data[index] = 1;
  return encodeRle(mask);
}

const gate = { passed: true, reason: 'confident', cached: false };
const trace = {
  name: 'cat',
  imagePath: '/data/cat.jpg',
  query: 'what keeps the rain off',
  isSentence: true,
  method: 'evol',
  rle: rle(0),
  trace: {
    method: 'evol',
    variant: 'evol-published',
    phrases: [
      { generation: 1, phrase: 'umbrella', rle: rle(1), gate },
      { generation: 1, phrase: 'red umbrella', rle: rle(2), gate },
      { generation: 1, phrase: 'hat', rle: rle(3), gate: { ...gate, passed: false } },
    ],
    generations: [
      {
        index: 1,
        population: [
          { phrase: 'umbrella', valid: true, fitness: 10 },
          { phrase: 'red umbrella', valid: true, fitness: 10 },
          { phrase: 'hat', valid: false, fitness: 10 },
        ],
        fights: [
          { champion: 'umbrella', challenger: 'red umbrella', winner: 'challenger', reason: 'B covers the handle', unparsable: false },
          { champion: 'red umbrella', challenger: 'umbrella', winner: 'tie', reason: 'same', unparsable: false },
        ],
      },
      {
        index: 2,
        population: [
          { phrase: 'red umbrella', valid: true, fitness: 12 },
          { phrase: 'umbrella', valid: true, fitness: 8 },
        ],
        fights: [{ champion: 'red umbrella', challenger: 'umbrella', winner: 'champion', reason: 'A is tighter', unparsable: false }],
      },
    ],
    arbitration: {
      output: 'hybrid',
      textPhrase: 'red umbrella',
      textRle: rle(2),
      textFallback: false,
      box: [1.2, 2.6, 10, 12],
      boxRle: rle(5),
      verdicts: [
        { shownA: 'text', verdict: 'A', winner: 'text', reason: 'text mask is complete', unparsable: false },
        { shownA: 'box', verdict: 'B', winner: 'text', reason: 'text mask is complete', unparsable: false },
      ],
      decision: 'text',
      reason: 'consistent',
    },
    stages: {},
  },
};

async function runFolder(): Promise<string> {
  const run = path.join(root, 'run');
  await mkdir(path.join(run, 'traces'), { recursive: true });
  await writeFile(path.join(run, 'traces', 'cat.json'), JSON.stringify(trace));
  // An orphan trace (written just before Ctrl-C, no results line) must be ignored.
  await writeFile(path.join(run, 'traces', 'orphan.json'), JSON.stringify({ ...trace, name: 'orphan' }));
  const line = { kind: 'segmentation', id: 'cat', status: 'ok', query: trace.query, isSentence: true, intersection: 1, union: 1, iou: 1, area: 1, wallMs: 1, calls: digestCalls([]), counters: {}, trace: 'traces/cat.json', warnings: [] };
  await writeFile(path.join(run, 'results.jsonl'), `${JSON.stringify(line)}\n`);
  return run;
}

describe('export-pairs', () => {
  it('makes a pair per decided arena fight and per consistent final arbitration, skipping ties', async () => {
    const { records, summary } = await exportPairs(await runFolder(), 'pairs');
    const pairs = records as PreferencePair[];
    expect(pairs.map((pair) => pair.id)).toEqual(['cat:arena:g1:0', 'cat:arena:g2:0', 'cat:final']);
    expect(pairs[0]?.chosen).toEqual({ phrase: 'red umbrella', text: 'red umbrella', rle: rle(2) });
    expect(pairs[0]?.rejected.phrase).toBe('umbrella');
    expect(pairs[2]?.chosen.phrase).toBe('red umbrella');
    expect(pairs[2]?.rejected).toEqual({ box: [1.2, 2.6, 10, 12], text: 'box [1, 3, 10, 12]', rle: rle(5) });
    expect(pairs.every((pair) => pair.image === '/data/cat.jpg' && pair.prompt === trace.query)).toBe(true);
    expect(summary.skipped.ties).toBe(1);
    expect(summary.bySource).toEqual({ arena: 2, 'final-arbitration': 1 });
  });

  it('makes one GSPO group per query with latest fitness as reward, 0 for gate failures, and normalised advantages', async () => {
    const { records } = await exportPairs(await runFolder(), 'gspo');
    const group = records[0] as GspoGroup;
    expect(records).toHaveLength(1);
    // Rewards: red umbrella 12, umbrella 8, hat 0 (gate failed) → mean 20/3.
    expect(group.members.map((member) => [member.phrase, member.reward])).toEqual([
      ['umbrella', 8],
      ['red umbrella', 12],
      ['hat', 0],
    ]);
    const mean = 20 / 3;
    const std = Math.sqrt(((8 - mean) ** 2 + (12 - mean) ** 2 + (0 - mean) ** 2) / 3);
    expect(group.rewardMean).toBeCloseTo(mean, 12);
    expect(group.members[1]?.advantage).toBeCloseTo((12 - mean) / std, 12);
    expect(group.members.reduce((sum, member) => sum + member.advantage, 0)).toBeCloseTo(0, 12);
    expect(group.degenerate).toBe(false);
  });

  it('says which folder lacks traces', async () => {
    await expect(exportPairs(path.join(root, 'nothing'), 'pairs')).rejects.toMatchObject({ code: 'not-found' });
  });
});
