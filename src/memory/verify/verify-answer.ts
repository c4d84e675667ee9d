/**
 * Verification of a solver's response against a gold answer: MATH-V's rule-based scoring first
 * (correct = the gold letter/value OR the gold option's text matches), then, only when the rules say
 * "wrong", an optional LLM judge (judge_answer) that compares the final answers alone. Every verdict names
 * the rule that decided it.
 */
import type { CallRecord, MllmClient } from '../../core/index.js';
import { taskResponseSchema, taskSystemLine } from '../../core/index.js';
import { lastBoxedContent } from './boxed.js';
import { extractMathVAnswer, mathvEqual, normaliseAnswerText } from './mathv-scoring.js';
import type { EqualityRule, ExtractionRule } from './mathv-scoring.js';

export interface GoldAnswer {
  /** A letter A–E for multiple choice, else the value. */
  answer: string;
  /** Option texts ([] for free-form). */
  options: readonly string[];
}

/**
 * What decided: `gold:<test>` (the letter or value matched), `option-text:<test>` (the gold option's text
 * as written matched), `option-normalised:<test>` (the gold option's text matched once normalised like the
 * answer), `other-option` (the answer is the text of a different option), `no-match`, `empty-answer`
 * (nothing extracted), or `llm-judge` (the judge overruled "wrong").
 */
export type VerdictRule =
  | `gold:${EqualityRule}`
  | `option-text:${EqualityRule}`
  | `option-normalised:${EqualityRule}`
  | 'other-option'
  | 'no-match'
  | 'empty-answer'
  | 'llm-judge';

export interface AnswerVerdict {
  correct: boolean;
  /** MATH-V's own verdict (evaluate.py exactly); reports give it beside `correct` for comparability. */
  mathvCorrect: boolean;
  /** The normalised answer that was compared. */
  extracted: string;
  extraction: ExtractionRule;
  rule: VerdictRule;
  /** The judge's call, when the LLM judge was asked. */
  judgeCall?: CallRecord;
}

/** The gold option's text for multiple choice (MATH-V: options[ord(letter) - 65]), else ''. */
export function goldOptionText(gold: GoldAnswer): string {
  const letter = gold.answer.trim();
  if (gold.options.length === 0 || letter.length !== 1) return '';
  return gold.options[letter.toUpperCase().charCodeAt(0) - 65] ?? '';
}

export interface VerifyRuleOptions {
  /**
   * true: MATH-V's rules only. false (default) adds two option-aware rules: an answer that is exactly the
   * normalised text of another option is wrong even when MATH-V's numeric test would pass (MATH-V id 90:
   * "5-2-3-4-1" and "5-4-3-2-1" both evaluate to -5), and the gold option's text is also compared after
   * the same normalisation as the answer ("$120^{\circ}$", "$12 \mathrm{~m}$", "$\text{March}$").
   */
  strict?: boolean;
}

function mathvVerdict(extracted: string, gold: GoldAnswer): { rule: VerdictRule; correct: boolean } {
  if (extracted.replaceAll(' ', '') === '') return { correct: false, rule: 'empty-answer' };
  const byGold = mathvEqual(gold.answer, extracted);
  if (byGold !== undefined) return { correct: true, rule: `gold:${byGold}` };
  const byOption = mathvEqual(goldOptionText(gold), extracted);
  if (byOption !== undefined) return { correct: true, rule: `option-text:${byOption}` };
  return { correct: false, rule: 'no-match' };
}

/** Rule-based verdict for a response: MATH-V's scoring, plus the option-aware rules unless strict. */
export function verifyMathVAnswer(response: string, gold: GoldAnswer, options: VerifyRuleOptions = {}): AnswerVerdict {
  const extracted = extractMathVAnswer(response);
  const base = { extracted: extracted.answer, extraction: extracted.rule };
  const mathv = mathvVerdict(extracted.answer, gold);
  if (options.strict === true || mathv.rule === 'empty-answer' || gold.options.length === 0) {
    return { ...base, correct: mathv.correct, mathvCorrect: mathv.correct, rule: mathv.rule };
  }
  const goldIndex = gold.answer.trim().toUpperCase().charCodeAt(0) - 65;
  const normalised = gold.options.map((option) => normaliseAnswerText(option));
  const goldNormalised = normalised[goldIndex] ?? '';
  const isOtherOption = normalised.some((text, index) => index !== goldIndex && text !== '' && text === extracted.answer && text !== goldNormalised);
  if (isOtherOption) return { ...base, correct: false, mathvCorrect: mathv.correct, rule: 'other-option' };
  if (mathv.correct) return { ...base, correct: true, mathvCorrect: true, rule: mathv.rule };
  const byNormalised = mathvEqual(goldNormalised, extracted.answer);
  if (byNormalised !== undefined) return { ...base, correct: true, mathvCorrect: false, rule: `option-normalised:${byNormalised}` };
  return { ...base, correct: false, mathvCorrect: false, rule: mathv.rule };
}

export interface VerifyOptions extends VerifyRuleOptions {
  /** Ask this MLLM (judge_answer) when the rules say wrong. */
  judge?: MllmClient;
  signal?: AbortSignal;
}

/** The judge request: final answers only (the boxed text as written), so the reasoning cannot sway the judge. */
export function judgeAnswerMessages(extracted: string, gold: GoldAnswer): { role: 'system' | 'user'; content: string }[] {
  const optionText = goldOptionText(gold);
  const goldLine = optionText === '' ? gold.answer : `${gold.answer} (${optionText})`;
  return [
    {
      role: 'system',
      content: [
        taskSystemLine('judge_answer'),
        'You compare two final answers to the same math problem. Decide whether they are mathematically equivalent',
        '(same value, same option, or the option letter and its text). Ignore formatting and units. Reply with JSON {"equivalent": true|false}.',
      ].join('\n'),
    },
    { role: 'user', content: `Answer: ${extracted}\nGold: ${goldLine}` },
  ];
}

/** Rule-based verdict, then the optional LLM judge for answers the rules reject. */
export async function verifyAnswer(response: string, gold: GoldAnswer, options: VerifyOptions = {}): Promise<AnswerVerdict> {
  const verdict = verifyMathVAnswer(response, gold, options);
  if (verdict.correct || options.judge === undefined || verdict.rule === 'empty-answer') return verdict;
  const request = {
    messages: judgeAnswerMessages(lastBoxedContent(response)?.trim() ?? verdict.extracted, gold),
    schema: { name: 'judge_answer', schema: taskResponseSchema('judge_answer') },
    temperature: 0,
    stage: 'judge-answer',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const result = await options.judge.chat(request);
  if (result.value.equivalent) return { ...verdict, correct: true, rule: 'llm-judge', judgeCall: result.call };
  return { ...verdict, judgeCall: result.call };
}
