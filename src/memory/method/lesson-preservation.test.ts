import { describe, expect, it } from 'vitest';
import { checkPreservation } from './lesson-preservation.js';

describe('merge preservation check', () => {
  it('accepts a merge that keeps every number and entity, in other words', () => {
    const report = checkPreservation(
      ['Angles on a straight line sum to 180 degrees.', 'Around point O the angles sum to 360 degrees.'],
      'Angles on a straight line sum to 180 degrees, and around a point such as O they sum to 360 degrees.',
    );
    expect(report).toEqual({ ok: true, missingNumbers: [], missingEntities: [] });
  });

  it('rejects a merge that loses a number', () => {
    const report = checkPreservation(['A regular hexagon has 6 sides and interior angles of 120 degrees.'], 'A regular hexagon has 6 equal sides.');
    expect(report.ok).toBe(false);
    expect(report.missingNumbers).toEqual(['120']);
  });

  it('rejects a merge that loses a named entity or a point label', () => {
    const report = checkPreservation(['Use Pythagoras in triangle ABC before measuring side P.'], 'Use the right-triangle theorem before measuring sides.');
    expect(report.ok).toBe(false);
    expect(report.missingEntities).toEqual(expect.arrayContaining(['pythagoras', 'abc', 'p']));
  });

  it('compares inline math without regard to spaces', () => {
    expect(checkPreservation(['Remember $a^2 + b^2 = c^2$.'], 'Keep in mind that $a^2+b^2=c^2$ holds.').ok).toBe(true);
    expect(checkPreservation(['Remember $a^2 + b^2 = c^2$.'], 'Keep in mind the squares.').ok).toBe(false);
  });

  it('treats numbers by value, so 0.50 and 0.5 are the same number', () => {
    expect(checkPreservation(['Scale by 0.50 first.'], 'First scale by 0.5.').ok).toBe(true);
  });

  it('does not count the capital of a sentence start as an entity', () => {
    expect(checkPreservation(['Count every hidden shape. Overlaps hide corners.'], 'count every hidden shape; overlaps hide corners').ok).toBe(true);
  });
});
