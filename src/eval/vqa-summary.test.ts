import { describe, expect, it } from 'vitest';
import { digestCalls } from './call-digest.js';
import type { VqaLine } from './vqa-lines.js';
import { retrievalPrecision, summarizeVqa } from './vqa-summary.js';
import type { HiddenTag } from './vqa-summary.js';

function line(index: number, overrides: Partial<VqaLine>): VqaLine {
  return {
    kind: 'vqa',
    id: `p${index}`,
    index,
    status: 'ok',
    gold: 'A',
    answer: 'a',
    correct: true,
    rule: 'gold:exact',
    lessonsUsed: [],
    lessonsWritten: [],
    lessonsMerged: [],
    duplicates: 0,
    mergesRejected: 0,
    embeddings: { texts: 1, images: 1 },
    wallMs: 1,
    calls: digestCalls([]),
    warnings: [],
    ...overrides,
  };
}

const tags = new Map<string, HiddenTag>([
  ['p0', { skill: 'count', trap: 'occlusion' }],
  ['p1', { skill: 'count', trap: 'colour' }],
  ['p2', { skill: 'count', trap: 'occlusion' }],
  ['p3', { skill: 'size', trap: 'colour' }],
]);

describe('VQA summaries', () => {
  it('counts a retrieved lesson as precise when the problem that wrote it has the same hidden trap', () => {
    const lines = [
      line(0, { correct: false, lessonsWritten: [{ id: 'L1', stream: 'visual' }] }),
      line(1, { correct: false, lessonsWritten: [{ id: 'L2', stream: 'logic' }], lessonsUsed: [{ id: 'L1', stream: 'visual', score: 0.9 }] }),
      line(2, { lessonsUsed: [{ id: 'L1', stream: 'visual', score: 0.9 }, { id: 'L2', stream: 'logic', score: 0.8 }, { id: 'OLD', stream: 'logic', score: 0.75 }] }),
      line(3, { lessonsUsed: [{ id: 'L2', stream: 'logic', score: 0.8 }] }),
    ];
    const precision = retrievalPrecision(lines, tags);
    // p1 (colour) ← L1 (occlusion): no; p2 (occlusion) ← L1: yes, ← L2 (colour): no, OLD unknown; p3 (colour) ← L2: yes.
    expect(precision).toMatchObject({ judged: 4, matching: 2, precision: 0.5, unknownSource: 1 });
    // Random retrieval among earlier lessons of the stream: p1 visual {occlusion} → 0; p2 visual {occlusion} → 1,
    // logic {colour} → 0; p3 logic {colour} → 1.
    expect(precision.chance).toBeCloseTo(0.5, 12);
    expect(precision.byStream.visual).toEqual({ judged: 2, matching: 1, precision: 0.5 });
    expect(precision.byStream.logic).toEqual({ judged: 2, matching: 1, precision: 0.5 });
  });

  it('reports accuracy overall, by subject, level and trap, counting failed problems as wrong', () => {
    const lines = [
      line(0, { subject: 'counting', level: 1 }),
      line(1, { subject: 'counting', level: 2, correct: false }),
      line(2, { subject: 'metric', level: 1, status: 'failed', correct: false, error: { code: 'backend-timeout', message: 'slow' } }),
      line(3, { subject: 'metric', level: 2 }),
    ];
    const summary = summarizeVqa(lines, tags);
    expect(summary.accuracy).toEqual({ n: 4, correct: 2, accuracy: 0.5 });
    expect(summary.bySubject.counting).toEqual({ n: 2, correct: 1, accuracy: 0.5 });
    expect(summary.byLevel['1']).toEqual({ n: 2, correct: 1, accuracy: 0.5 });
    expect(summary.byTrap?.colour).toEqual({ n: 2, correct: 1, accuracy: 0.5 });
    expect(summary.failuresByCode).toEqual({ 'backend-timeout': 1 });
    expect(summary.costs.samples, 'costs are averaged over finished problems').toBe(3);
  });
});
