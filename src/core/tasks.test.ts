import { describe, expect, it } from 'vitest';
import {
  TASK_NAMES,
  formatOptionsLine,
  isStructuredTask,
  parseOptionsLine,
  readLabelledBlock,
  readLabelledLine,
  taskFromRequest,
  taskResponseFormat,
  taskResponseSchema,
  taskSystemLine,
} from './tasks.js';

describe('task contract', () => {
  it('lists every engine task, with answer_vqa as the only free-text task', () => {
    expect(TASK_NAMES).toContain('plan_phrases');
    expect(TASK_NAMES).toContain('zoom_region');
    expect(TASK_NAMES).toContain('locate_time');
    expect(TASK_NAMES).toHaveLength(18);
    expect(TASK_NAMES.filter((task) => !isStructuredTask(task))).toEqual(['answer_vqa']);
  });

  it('builds a strict json_schema response_format that names the task and forbids extra keys', () => {
    const format = taskResponseFormat('judge_pair');
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('judge_pair');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema['additionalProperties']).toBe(false);
    expect(format.json_schema.schema['required']).toEqual(['winner', 'reason']);
    expect(format.json_schema.schema['$schema']).toBeUndefined();
  });

  it('validates responses with the task schema and rejects wrong shapes', () => {
    expect(taskResponseSchema('predict_box').safeParse({ boxes: [{ bbox_2d: [1, 2, 3, 4], label: 'x' }] }).success).toBe(true);
    expect(taskResponseSchema('predict_box').safeParse({ boxes: [{ bbox_2d: [1, 2, 3], label: 'x' }] }).success).toBe(false);
    expect(taskResponseSchema('verify_mask').safeParse({ answer: 'maybe' }).success).toBe(false);
    expect(taskResponseSchema('agent_step').safeParse({ tool: 'segment_phrase', arguments: { text_prompt: 'cup' } }).success).toBe(true);
  });

  it('recovers the task from response_format before the system line', () => {
    const body = {
      messages: [{ role: 'system', content: taskSystemLine('verify_mask') }],
      response_format: taskResponseFormat('plan_phrases'),
    };
    expect(taskFromRequest(body)).toBe('plan_phrases');
  });

  it('recovers the task from the first system line, in string or part form', () => {
    expect(taskFromRequest({ messages: [{ role: 'system', content: 'Task: answer_vqa\nSolve step by step.' }] })).toBe('answer_vqa');
    const parts = [{ type: 'text', text: 'Task: merge_lessons\nMerge.' }];
    expect(taskFromRequest({ messages: [{ role: 'system', content: parts }, { role: 'user', content: 'x' }] })).toBe('merge_lessons');
  });

  it('returns undefined for unknown tasks, a Task line that is not first, and non-objects', () => {
    expect(taskFromRequest({ messages: [{ role: 'system', content: 'Task: fly_to_moon' }] })).toBeUndefined();
    expect(taskFromRequest({ messages: [{ role: 'system', content: 'Hello\nTask: verify_mask' }] })).toBeUndefined();
    expect(taskFromRequest({ messages: [{ role: 'user', content: 'Task: verify_mask' }] })).toBeUndefined();
    expect(taskFromRequest('Task: verify_mask')).toBeUndefined();
  });

  it('reads labelled lines and lesson blocks from user text', () => {
    const text = 'Image roles: raw, overlay A, overlay B\nQuery: the red  triangle \nLessons:\n- count hidden ones\n- left is viewer left\n\nQuestion: how many?';
    expect(readLabelledLine(text, 'Query')).toBe('the red  triangle');
    expect(readLabelledLine(text, 'Image roles')).toBe('raw, overlay A, overlay B');
    expect(readLabelledLine(text, 'Phrase')).toBeUndefined();
    expect(readLabelledBlock(text, 'Lessons')).toEqual(['count hidden ones', 'left is viewer left']);
    expect(readLabelledBlock(text, 'Missing')).toEqual([]);
  });

  it('round-trips an options line', () => {
    const line = formatOptionsLine(['3', 'four', 'a red B) shape']);
    expect(line).toBe('A) 3 B) four C) a red B) shape');
    const parsed = parseOptionsLine(formatOptionsLine(['3', 'four', 'blue circle']));
    expect(parsed).toEqual([
      { letter: 'A', text: '3' },
      { letter: 'B', text: 'four' },
      { letter: 'C', text: 'blue circle' },
    ]);
  });
});
