import { describe, expect, it } from 'vitest';
import { createRecordingMllmClient } from '../../backends/__tests__/recording-mocks.js';
import { messageText } from '../../core/index.js';
import { goldOptionText, verifyAnswer, verifyMathVAnswer } from './verify-answer.js';

const degrees = { answer: 'D', options: ['$90^{\\circ}$', '$100^{\\circ}$', '$110^{\\circ}$', '$120^{\\circ}$', '$135^{\\circ}$'] };

describe('rule-based verdicts', () => {
  it('accepts the gold letter and names the rule', () => {
    expect(verifyMathVAnswer('So the answer is \\boxed{D}.', degrees)).toMatchObject({ correct: true, mathvCorrect: true, rule: 'gold:exact', extracted: 'd' });
  });

  it("accepts the gold option's value, which MATH-V itself compares as written", () => {
    // MATH-V compares "$120^{\circ}$" (as written) with the extracted "120": its latex2sympy strips "$"
    // but not the degree sign, so only our normalised comparison accepts it.
    const verdict = verifyMathVAnswer('The angle is \\boxed{120^\\circ}', degrees);
    expect(verdict).toMatchObject({ correct: true, rule: 'option-normalised:exact' });
  });

  it('rejects another option and an empty answer, saying why', () => {
    expect(verifyMathVAnswer('\\boxed{B}', degrees)).toMatchObject({ correct: false, rule: 'no-match' });
    expect(verifyMathVAnswer('\\boxed{$110^{\\circ}$}', degrees)).toMatchObject({ correct: false, rule: 'other-option' });
    expect(verifyMathVAnswer('', degrees)).toMatchObject({ correct: false, rule: 'empty-answer' });
  });

  it('accepts a free-form value numerically equal to 2 decimals', () => {
    expect(verifyMathVAnswer('Thus the area is \\boxed{\\frac{25}{4}}', { answer: '6.25', options: [] })).toMatchObject({ correct: true, rule: 'gold:numeric' });
    expect(verifyMathVAnswer('Thus the area is \\boxed{6.3}', { answer: '6.25', options: [] }).correct).toBe(false);
  });

  it('keeps to MATH-V alone in strict mode', () => {
    expect(verifyMathVAnswer('The angle is \\boxed{120^\\circ}', degrees, { strict: true })).toMatchObject({ correct: false, mathvCorrect: false, rule: 'no-match' });
  });

  it("finds the gold option's text from the letter, and none for free-form or a non-letter gold", () => {
    expect(goldOptionText(degrees)).toBe('$120^{\\circ}$');
    expect(goldOptionText({ answer: 'C', options: [] })).toBe('');
    expect(goldOptionText({ answer: '12', options: ['1', '2'] })).toBe('');
  });
});

describe('the optional LLM judge', () => {
  it('is asked only when the rules reject, with the final answers alone', async () => {
    const judge = createRecordingMllmClient(() => '{"equivalent": true}');
    const accepted = await verifyAnswer('Long reasoning...\nSo \\boxed{one hundred twenty degrees}', degrees, { judge });
    expect(accepted).toMatchObject({ correct: true, mathvCorrect: false, rule: 'llm-judge' });
    expect(judge.calls).toHaveLength(1);
    const user = messageText(judge.calls[0]?.messages.at(-1)?.content);
    expect(user).toBe('Answer: one hundred twenty degrees\nGold: D ($120^{\\circ}$)');
    expect(user).not.toContain('Long reasoning');
    await verifyAnswer('\\boxed{D}', degrees, { judge });
    expect(judge.calls, 'a rule-based "correct" needs no judge').toHaveLength(1);
  });

  it('keeps the rule-based verdict when the judge disagrees', async () => {
    const judge = createRecordingMllmClient(() => '{"equivalent": false}');
    expect(await verifyAnswer('\\boxed{7}', { answer: '8', options: [] }, { judge })).toMatchObject({ correct: false, rule: 'no-match' });
  });
});
