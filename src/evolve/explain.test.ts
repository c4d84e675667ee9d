import { resolveEvolveConfig } from './config.js';
import { describe, expect, it } from 'vitest';
import { evolveSegment } from './evolve-segment.js';
import { formatTraceTree } from './explain.js';
import { progressText } from './progress-text.js';
import type { SegmentationEvent } from './events.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, testImage } from './__tests__/support.js';

/** These tests pin the published behaviour; the library's own default is DEFAULT_EVOLVE_PRESET. */
const PUBLISHED_CONFIG = resolveEvolveConfig('published');

describe('explain tree', () => {
  it('shows planning, each generation with gate and fitness, fights, arbitration and cost as a tree', async () => {
    const mllm = scriptedMllm({
      plan_phrases: () => ({ phrases: ['cup', 'mug'] }),
      refine_phrase: () => ({ verdict: 'refine', phrase: 'red cup' }),
      rephrase_variants: () => ({ phrases: ['bowl', 'mug'] }),
      rewrite_phrase: () => ({ phrase: 'red cup' }),
      verify_mask: () => ({ answer: 'no' }),
      judge_pair_forced: () => ({ winner: 'A' }),
      predict_box: () => ({ boxes: [] }),
    });
    const segmenter = phraseSegmenter({
      'red cup': [instance(rectangle(0, 0, 20, 20), 0.9)],
      cup: [instance(rectangle(30, 0, 10, 10), 0.95)],
      mug: [instance(rectangle(0, 30, 10, 10), 0.5)],
      bowl: [instance(rectangle(40, 30, 10, 10), 0.2)],
    });
    const events: SegmentationEvent[] = [];
    const result = await evolveSegment(testImage(), 'the cup', { config: PUBLISHED_CONFIG, backends: { mllm, segmenter }, isSentence: false, onEvent: (event) => events.push(event) });
    const tree = formatTraceTree(result);
    expect(tree.split('\n')[0]).toBe('evol-published: "the cup" (short phrase)');
    expect(tree).toContain('├─ planning (Query: [\'the cup\'])');
    expect(tree).toContain('│  ├─ refine "cup" → "red cup"');
    expect(tree).toMatch(/"mug" \[variant\] score 0\.50 area 100 gate fail \(verified-no\)/);
    expect(tree).toMatch(/"bowl" \[.*\] score 0\.20 area 100 gate fail \(unconfident\)/);
    expect(tree).toContain('fight: A="cup" B="red cup"');
    expect(tree).toContain('├─ arbitration (hybrid)');
    expect(tree).toContain('decision: text (only-text)');
    expect(tree).toMatch(/└─ cost: mllm \d+, judge \d+, segmenter \d+ call\(s\)/);
    const lines = events.map(progressText).filter((line): line is string => line !== undefined);
    expect(lines).toContain('generation 1: evaluating 4 phrase(s)');
    // The judge always answers A, where the published arena shows the champion: "cup" (100 px) wins.
    expect(lines.at(-1)).toMatch(/^done: 100 px in \d+ ms$/);
  });
});
