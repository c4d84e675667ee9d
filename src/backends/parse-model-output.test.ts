import { describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../core/index.js';
import { firstBalancedJson, internVlBoxes, parseModelOutput } from './parse-model-output.js';

describe('parseModelOutput', () => {
  it('reads JSON inside a markdown fence surrounded by prose', () => {
    const raw = 'Sure! Here is my answer:\n```json\n{"phrases": ["red mug", "mug on the left"]}\n```\nHope it helps.';
    const result = parseModelOutput(raw, taskResponseSchema('plan_phrases'), 'plan_phrases');
    expect(result).toEqual({ ok: true, value: { phrases: ['red mug', 'mug on the left'] } });
  });

  it('repairs trailing commas and single quotes in prose-wrapped JSON', () => {
    const raw = "The verdict is {'winner': 'B', 'reason': 'covers the whole cat',} as shown.";
    const result = parseModelOutput(raw, taskResponseSchema('judge_pair'));
    expect(result.ok && result.value).toEqual({ winner: 'B', reason: 'covers the whole cat' });
  });

  it('wraps a bare Qwen bbox_2d list into the predict_box shape', () => {
    const raw = '```json\n[{"bbox_2d": [10, 20, 110, 220], "label": "dog"}]\n```';
    const result = parseModelOutput(raw, taskResponseSchema('predict_box'));
    expect(result.ok && result.value).toEqual({ boxes: [{ bbox_2d: [10, 20, 110, 220], label: 'dog' }] });
  });

  it('reads InternVL ref/box tags as boxes', () => {
    const raw = 'The target is <ref>the dog</ref><box>[[100, 200, 300, 400]]</box>.';
    expect(internVlBoxes(raw)).toEqual([{ bbox_2d: [100, 200, 300, 400], label: 'the dog' }]);
    const result = parseModelOutput(raw, taskResponseSchema('predict_box'));
    expect(result.ok && result.value).toEqual({ boxes: [{ bbox_2d: [100, 200, 300, 400], label: 'the dog' }] });
    const zoom = parseModelOutput(raw, taskResponseSchema('zoom_region'));
    expect(zoom.ok && zoom.value).toEqual({ bbox_2d: [100, 200, 300, 400] });
  });

  it('reads GLM-4.5V <|begin_of_box|> answers and Seed1.5-VL <bbox> answers as boxes', () => {
    const glm = '<think>The cat sits left.</think><answer><|begin_of_box|>[[250,200,750,800]]<|end_of_box|></answer>';
    const glmResult = parseModelOutput(glm, taskResponseSchema('predict_box'));
    expect(glmResult.ok && glmResult.value, 'GLM answer box').toEqual({ boxes: [{ bbox_2d: [250, 200, 750, 800], label: '' }] });
    const seed = 'The head is here: <bbox>175 98 791 476</bbox>';
    const seedResult = parseModelOutput(seed, taskResponseSchema('predict_box'));
    expect(seedResult.ok && seedResult.value, 'Seed answer box').toEqual({ boxes: [{ bbox_2d: [175, 98, 791, 476], label: '' }] });
  });

  it('accepts a single verdict letter and a bare yes', () => {
    const letter = parseModelOutput('**B**', taskResponseSchema('judge_pair'));
    expect(letter.ok && letter.value).toEqual({ winner: 'B', reason: '' });
    const answer = parseModelOutput('Answer: yes.', taskResponseSchema('verify_mask'));
    expect(answer.ok && answer.value).toEqual({ answer: 'yes' });
  });

  it('skips a Qwen3 think block before the JSON', () => {
    const raw = '<think>maybe {"answer": "no"}</think>{"answer": "yes"}';
    const result = parseModelOutput(raw, taskResponseSchema('verify_mask'));
    expect(result.ok && result.value).toEqual({ answer: 'yes' });
  });

  it('returns a typed invalid-model-output error carrying the raw text when nothing validates', () => {
    const raw = 'I cannot determine which one is better.';
    const result = parseModelOutput(raw, taskResponseSchema('judge_pair'), 'judge_pair');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-model-output');
    expect(result.error.details?.['raw']).toBe(raw);
    expect(result.error.message).toContain('judge_pair');
  });

  it('reports the validation problem of JSON with the wrong shape', () => {
    const result = parseModelOutput('{"winner": "C", "reason": "x"}', taskResponseSchema('judge_pair'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(String(result.error.details?.['problem'])).toContain('winner');
  });

  it('finds the first balanced JSON value while ignoring brackets inside strings', () => {
    expect(firstBalancedJson('x {"a": "}{", "b": [1, 2]} y {"c": 1}')).toBe('{"a": "}{", "b": [1, 2]}');
    expect(firstBalancedJson('no json here')).toBeUndefined();
  });
});
