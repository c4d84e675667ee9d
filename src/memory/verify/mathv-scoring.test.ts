import { describe, expect, it } from 'vitest';
import { evaluateLatex, pythonRound2 } from './latex-arithmetic.js';
import { evalTuple, extractMathVAnswer, findMathAnswer, mathvEqual } from './mathv-scoring.js';

describe('MATH-V answer extraction (evaluate.py)', () => {
  it('takes the option letter from a response ending with " X." or "(X)."', () => {
    expect(extractMathVAnswer('I compared all five pictures, so it is D.')).toEqual({ answer: 'd', rule: 'option-letter' });
    expect(extractMathVAnswer('Checking each kitten, the match is (C).')).toMatchObject({ answer: 'c' });
  });

  it('takes the option letter from a response starting with "X\\n" or "(X) X\\n"', () => {
    expect(extractMathVAnswer('B\nbecause the ears differ').answer).toBe('b');
    expect(extractMathVAnswer('(E) E\nthe last one').answer).toBe('e');
  });

  it('takes the number after the last "is "', () => {
    expect(extractMathVAnswer('The number of bricks missing is 6.')).toEqual({ answer: '6', rule: 'is-number' });
  });

  it('takes the text after "the answer is" up to the first newline or ". " when there is no box', () => {
    expect(extractMathVAnswer('Counting twice, the answer is 12 cm. That is all.\nDone')).toMatchObject({ answer: '12cm', rule: 'answer-phrase' });
    expect(extractMathVAnswer('The correct answer is 3/4').answer).toBe('\\frac{3}{4}');
  });

  it('uses the last \\boxed{} when there are several', () => {
    expect(extractMathVAnswer('First \\boxed{5}, then corrected: \\boxed{7}')).toEqual({ answer: '7', rule: 'last-boxed' });
  });

  it('keeps what follows "=" in a box and drops degrees, dollars and \\left/\\right', () => {
    expect(extractMathVAnswer('so \\boxed{x = 120^{\\circ}}').answer).toBe('120');
    expect(extractMathVAnswer('\\boxed{$\\left(1, 2\\right)$}').answer).toBe('(1,2)');
  });

  it('maps "(a)" and "{b}" to bare letters and strips trailing dots', () => {
    expect(extractMathVAnswer('\\boxed{(a)}').answer).toBe('a');
    expect(findMathAnswer('\\boxed{0.5}')).toBe('\\frac{1}{2}');
  });

  it('leaves the bare word "\\boxed" for an empty box, as find_math_answer drops "{}" first', () => {
    expect(extractMathVAnswer('\\boxed{}').answer).toBe('\\boxed');
    expect(mathvEqual('5', extractMathVAnswer('\\boxed{}').answer)).toBeUndefined();
  });
});

describe('MATH-V is_equal', () => {
  it('compares letters exactly, case-insensitively', () => {
    expect(mathvEqual('D', 'd')).toBe('exact');
    expect(mathvEqual('D', 'a')).toBeUndefined();
  });

  it('accepts numerically equal values to two decimals', () => {
    expect(mathvEqual('\\frac{3}{4}', '0.75')).toBe('numeric');
    expect(mathvEqual('2\\sqrt{2}', '2.83')).toBe('numeric');
    expect(mathvEqual('\\pi', '3.14')).toBe('numeric');
    expect(mathvEqual('6', '6.001')).toBe('numeric');
    expect(mathvEqual('6', '6.01')).toBeUndefined();
  });

  it('evaluates tuples element by element and compares their Python strings', () => {
    expect(evalTuple('(2\\cdot3,5)')).toBe('(6,5)');
    expect(mathvEqual('(6, 5)', '(2\\times3,5)')).toBe('tuple');
    // Python prints a float 6.0 and an int 6 differently, so MATH-V calls these different.
    expect(mathvEqual('(6,5)', '(6.0,5)')).toBeUndefined();
  });

  it('treats an empty side as wrong and words as non-numbers', () => {
    expect(mathvEqual('', '')).toBeUndefined();
    expect(mathvEqual('5', '5cm')).toBeUndefined();
  });
});

describe('LaTeX arithmetic', () => {
  it('evaluates fractions, roots with an index, powers and implicit products', () => {
    expect(evaluateLatex('\\frac{1}{2}+\\frac12')?.value).toBe(1);
    expect(evaluateLatex('\\sqrt[3]{27}')?.value).toBeCloseTo(3, 12);
    expect(evaluateLatex('2^{10}')).toEqual({ value: 1024, integer: true });
    expect(evaluateLatex('3\\pi')?.value).toBeCloseTo(3 * Math.PI, 12);
    expect(evaluateLatex('-(4-6)\\div 4')?.value).toBe(0.5);
  });

  it('refuses symbols, division by zero and commas', () => {
    expect(evaluateLatex('x+1')).toBeUndefined();
    expect(evaluateLatex('1/0')).toBeUndefined();
    expect(evaluateLatex('1,2')).toBeUndefined();
  });

  it("rounds like Python's round(x, 2): correctly rounded, exact ties to even", () => {
    expect(pythonRound2(0.125)).toBe(0.12);
    expect(pythonRound2(0.375)).toBe(0.38);
    expect(pythonRound2(-0.125)).toBe(-0.12);
    // 2.675 is stored just below 2.675, so Python gives 2.67.
    expect(pythonRound2(2.675)).toBe(2.67);
    expect(pythonRound2(1 / 3)).toBe(0.33);
  });
});
