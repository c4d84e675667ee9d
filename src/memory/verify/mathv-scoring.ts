/**
 * MATH-V's own answer scoring, step for step (mathllm/MATH-V `evaluation/evaluate.py` and
 * `evaluation/utils.py`, as summarised in ../shared/data/mathv-testmini/README.md): answer extraction from
 * a response, `find_math_answer` normalisation and `is_equal`. latex2sympy is replaced by the small
 * evaluator of latex-arithmetic.ts.
 */
import { evaluateLatex, pythonNumberString, pythonRound2 } from './latex-arithmetic.js';

/** Which extraction step of evaluate.py produced the answer text. */
export type ExtractionRule = 'option-letter' | 'is-number' | 'answer-phrase' | 'boxed' | 'last-boxed' | 'whole-response';

export interface ExtractedAnswer {
  /** The normalised answer MATH-V compares (lower case, LaTeX cleaned). */
  answer: string;
  rule: ExtractionRule;
}

/** Python's float(): optional sign, digits with single underscores, decimal point, exponent, inf/nan. */
const DIGITS = String.raw`\d(?:_?\d)*`;
const PYTHON_FLOAT = new RegExp(String.raw`^[+-]?(?:(?:${DIGITS}\.(?:${DIGITS})?|\.${DIGITS}|${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, 'i');

export function isPythonNumber(text: string): boolean {
  return PYTHON_FLOAT.test(text.trim());
}

/** Python's str.split(sep)[-1]. */
function lastPart(text: string, separator: string): string {
  const index = text.lastIndexOf(separator);
  return index < 0 ? text : text.slice(index + separator.length);
}

function firstPart(text: string, separator: string): string {
  const index = text.indexOf(separator);
  return index < 0 ? text : text.slice(0, index);
}

const ANSWER_FLAGS = ['the final answer is', 'the answer is', 'the correct answer is', 'the answer should be'];

/** evaluate.py: the answer text of a response, before find_math_answer. */
function extractRaw(response: string): { text: string; rule: ExtractionRule } {
  let answer = response.trim();
  let rule: ExtractionRule = 'whole-response';
  for (const letter of 'ABCDE') {
    if (
      answer.endsWith(` ${letter}.`) ||
      answer.endsWith(` (${letter}).`) ||
      answer.startsWith(`${letter}\n`) ||
      answer.startsWith(`(${letter})\n`) ||
      answer.startsWith(`(${letter}) ${letter}\n`)
    ) {
      answer = letter;
      rule = 'option-letter';
    }
  }
  const afterIs = lastPart(answer, 'is ').replace(/\.+$/, '');
  if (isPythonNumber(afterIs)) {
    if (afterIs !== answer) rule = 'is-number';
    answer = afterIs;
  }
  if (!answer.includes('oxed{')) {
    for (const lowerFlag of ANSWER_FLAGS) {
      for (const flag of [lowerFlag, lowerFlag.replace(/the/g, 'The')]) {
        const present = answer.includes(flag);
        answer = lastPart(answer, flag).trim();
        if (present) {
          answer = firstPart(firstPart(answer, '\n'), '. ');
          rule = 'answer-phrase';
        }
      }
    }
  } else if (answer.split('oxed{').length - 1 > 1) {
    answer = `\\boxed{${lastPart(answer, 'oxed{')}}`;
    rule = 'last-boxed';
  } else rule = 'boxed';
  return { text: answer, rule };
}

function fixSqrt(text: string): string {
  if (!text.includes('\\sqrt')) return text;
  const [head, ...splits] = text.split('\\sqrt');
  let result = head ?? '';
  for (const split of splits) {
    if (split.length > 0 && split[0] !== '{') result += `\\sqrt{${split[0]}}${split.slice(1)}`;
    else result += `\\sqrt${split}`;
  }
  return result;
}

function fixFracs(text: string): string {
  const [head, ...parts] = text.split('\\frac');
  let result = head ?? '';
  for (const part of parts) {
    result += '\\frac';
    if (part.length > 0 && part[0] === '{') {
      result += part;
      continue;
    }
    if (part.length < 2) return text;
    const numerator = part[0] ?? '';
    const denominator = part[1] ?? '';
    const rest = part.slice(2);
    result += denominator !== '{' ? `{${numerator}}{${denominator}}${rest}` : `{${numerator}}${denominator}${rest}`;
  }
  return result;
}

/** Python int(): optional whitespace and sign, digits with single underscores. */
function pythonInt(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d(?:_?\d)*$/.test(trimmed)) return undefined;
  return BigInt(trimmed.replace(/_/g, ''));
}

function fixSlash(text: string): string {
  const parts = text.split('/');
  if (parts.length !== 2) return text;
  const numerator = pythonInt(parts[0] ?? '');
  const denominator = pythonInt(parts[1] ?? '');
  if (numerator === undefined || denominator === undefined || text !== `${numerator}/${denominator}`) return text;
  return `\\frac{${numerator}}{${denominator}}`;
}

/** utils.py `_strip_string`. */
function stripString(input: string): string {
  let text = input.replace(/\n/g, '').replaceAll('\\!', '').replaceAll('\\\\', '\\');
  text = text.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac').replaceAll('\\left', '').replaceAll('\\right', '');
  text = text.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '').replaceAll('\\$', '').replaceAll('$', '');
  text = firstPart(text, '\\text{ ');
  text = text.replaceAll('\\%', '');
  text = text.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (text.length === 0) return text;
  if (text[0] === '.') text = `0${text}`;
  if (text.split('=').length === 2) text = lastPart(text, '=');
  if (text.split('\\approx').length === 2) text = lastPart(text, '\\approx');
  if (text.includes('sqrt')) text = fixSqrt(text);
  text = text.replaceAll(' ', '');
  // utils.py fixes \frac braces only when the text contains 'sqrt' (kept as the reference does it).
  if (text.includes('sqrt')) text = fixFracs(text);
  if (text === '0.5') text = '\\frac{1}{2}';
  return fixSlash(text);
}

/** utils.py `find_math_answer`. */
export function findMathAnswer(input: string): string {
  let text = input.toLowerCase().replaceAll('{}', '');
  // re.findall('oxed{(.*)}', re.S)[-1]: greedy, so from the first "oxed{" to the last "}".
  const open = text.indexOf('oxed{');
  const close = text.lastIndexOf('}');
  let answer = open >= 0 && close >= open + 5 ? text.slice(open + 5, close) : text;
  const firstClose = answer.indexOf('}');
  const firstOpen = answer.indexOf('{');
  if (firstClose !== -1 && (firstOpen === -1 || firstClose < firstOpen)) answer = firstPart(answer, '}');
  answer = lastPart(answer, '=');
  answer = lastPart(answer, '\\approx');
  answer = answer.replaceAll(' ', '').replaceAll('\\,', '').replaceAll('∞', '\\infty');
  answer = answer.replaceAll('+\\infty', '\\infty').replaceAll('\\\\', '\\').replaceAll('\n', '');
  answer = answer.replaceAll('\\text', '').replaceAll('\\mbox', '').replaceAll('bmatrix', 'pmatrix');
  answer = answer.replaceAll('\\left', '').replaceAll('\\right', '').replaceAll('^{\\circ}', '');
  answer = answer.replaceAll('^\\circ', '').replaceAll('{m}^3', '').replaceAll('m^3', '');
  answer = answer.replaceAll('{units}', '').replaceAll('units', '').replaceAll('{km}', '').replaceAll('km', '');
  text = stripString(answer);
  return text;
}

/** evaluate.py: the answer MATH-V compares, and the extraction step that produced it. */
export function extractMathVAnswer(response: string): ExtractedAnswer {
  const raw = extractRaw(response);
  return { answer: normaliseAnswerText(raw.text), rule: raw.rule };
}

/** evaluate.py's last step: find_math_answer, "(a)"/"{a}" → "a" (a–e), trailing "." and leading ":" removed. */
export function normaliseAnswerText(text: string): string {
  let answer = findMathAnswer(text);
  for (const letter of 'abcde') answer = answer.replaceAll(`(${letter})`, letter);
  for (const letter of 'abcde') answer = answer.replaceAll(`{${letter}}`, letter);
  return answer.replace(/\.+$/, '').replace(/^:+/, '').trim();
}

/** utils.py `eval_tuple`: "(2\cdot3, 5)" → "(6,5)"; anything else (or any failure) unchanged. */
export function evalTuple(text: string): string {
  const elements = text.slice(1, -1).split(',');
  const opening = text[0];
  const closing = text.at(-1);
  const isTuple = opening === '(' && closing === ')';
  const isList = opening === '[' && closing === ']';
  if ((!isTuple && !isList) || elements.length <= 1) return text;
  const evaluated: string[] = [];
  for (const element of elements) {
    if (element.includes('infty') || element === 'a' || element === '-a') {
      evaluated.push(element);
      continue;
    }
    const number = evaluateLatex(element);
    if (number === undefined) return text;
    evaluated.push(pythonNumberString({ value: number.integer ? number.value : pythonRound2(number.value), integer: number.integer }));
  }
  return isTuple ? `(${evaluated.join(',')})` : `[${evaluated.join(',')}]`;
}

/** How is_equal decided: which of its three tests matched, or none. */
export type EqualityRule = 'exact' | 'tuple' | 'numeric';

/** utils.py `is_equal(gt, pred)`: the test that matched, or undefined when not equal. */
export function mathvEqual(gold: string, predicted: string): EqualityRule | undefined {
  let goldText = gold.toLowerCase();
  let predictedText = predicted.toLowerCase();
  if (goldText.replaceAll(' ', '') === '' || predictedText.replaceAll(' ', '') === '') return undefined;
  if (goldText.trim() === predictedText.trim()) return 'exact';
  goldText = evalTuple(goldText);
  predictedText = evalTuple(predictedText);
  if (goldText === predictedText) return 'tuple';
  const goldNumber = evaluateLatex(goldText);
  const predictedNumber = evaluateLatex(predictedText);
  if (goldNumber === undefined || predictedNumber === undefined) return undefined;
  return pythonRound2(goldNumber.value) === pythonRound2(predictedNumber.value) ? 'numeric' : undefined;
}
