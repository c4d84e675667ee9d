import { describe, expect, it } from 'vitest';
import { maskArea, maskIou } from '../../vision/index.js';
import { resolveEvolveConfig } from '../config.js';
import { agentSegment } from './agent.js';
import { instance, phraseSegmenter, rectangle, scriptedMllm, tasksCalled, testImage, userText } from '../__tests__/support.js';

const CUP = rectangle(4, 4, 16, 16);
const OTHER = rectangle(40, 30, 10, 10);

describe('agent baseline', () => {
  it('segments, examines each mask on a zoomed crop plus context, and returns the selected masks', async () => {
    const steps = [
      { tool: 'segment_phrase', arguments: { text_prompt: 'cup' } },
      { tool: 'examine_each_mask', arguments: {} },
      { tool: 'select_masks_and_return', arguments: { final_answer_masks: [1] } },
    ];
    const mllm = scriptedMllm({ agent_step: (_request, index) => steps[index], verify_mask: (_request, index) => ({ answer: index === 0 ? 'yes' : 'no' }) });
    const segmenter = phraseSegmenter({ cup: [instance(CUP, 0.9), instance(OTHER, 0.8)] });
    const result = await agentSegment(testImage(), 'the cup', { backends: { mllm, segmenter } });
    expect(maskIou(result.mask, CUP)).toBe(1);
    expect(tasksCalled(mllm)).toEqual(['agent_step', 'agent_step', 'verify_mask', 'verify_mask', 'agent_step']);
    const examine = mllm.calls[2];
    expect(examine?.images?.length, 'raw, overlay, zoomed raw, zoomed overlay').toBe(4);
    expect(userText(mllm.calls[4] ?? { messages: [] })).toContain('mask 2: Reject');
    expect(result.trace.agentTurns?.map((turn) => turn.tool)).toEqual(steps.map((step) => step.tool));
    expect(result.trace.agentTurns?.[1]?.accepted).toEqual([1]);
  });

  it('prunes history to the first messages plus everything since the latest segment_phrase and lists tried phrases', async () => {
    const steps = [
      { tool: 'segment_phrase', arguments: { text_prompt: 'mug' } },
      { tool: 'segment_phrase', arguments: { text_prompt: 'cup' } },
      { tool: 'select_masks_and_return', arguments: { final_answer_masks: [1, 7] } },
    ];
    const mllm = scriptedMllm({ agent_step: (_request, index) => steps[index] });
    const segmenter = phraseSegmenter({ cup: [instance(CUP, 0.9)] });
    const result = await agentSegment(testImage(), 'the cup', { backends: { mllm, segmenter } });
    const last = mllm.calls[2];
    const roles = last?.messages.map((message) => message.role);
    expect(roles, 'system, first user, segment_phrase(cup), its result').toEqual(['system', 'user', 'assistant', 'user']);
    expect(last?.messages[1]?.content).toContain('Query: ');
    expect(last?.messages[2]?.content).toContain('"text_prompt":"cup"');
    expect(userText(last ?? { messages: [] })).toContain('Masks: 1');
    expect(userText(last ?? { messages: [] })).toContain('Tried phrases: mug; cup');
    expect(last?.images?.length, 'raw image first, then the numbered overlay').toBe(2);
    expect(userText(mllm.calls[1] ?? { messages: [] })).toContain('Masks: 0');
    expect(maskArea(result.mask)).toBe(256);
    expect(result.warnings.map((warning) => warning.code)).toContain('agent-bad-index');
  });

  it('stops at the turn cap with no mask and says so', async () => {
    const mllm = scriptedMllm({ agent_step: (_request, index) => ({ tool: 'segment_phrase', arguments: { text_prompt: `try ${index}` } }) });
    const config = resolveEvolveConfig('published', { agent: { maxTurns: 3 } });
    const result = await agentSegment(testImage(), 'the cup', { backends: { mllm, segmenter: phraseSegmenter({}) }, config });
    expect(mllm.calls.length).toBe(3);
    expect(maskArea(result.mask)).toBe(0);
    expect(result.warnings.map((warning) => warning.code)).toContain('agent-turn-cap');
  });

  it('returns an empty mask on report_no_mask', async () => {
    const mllm = scriptedMllm({ agent_step: () => ({ tool: 'report_no_mask', arguments: {} }) });
    const result = await agentSegment(testImage(), 'the unicorn', { backends: { mllm, segmenter: phraseSegmenter({}) } });
    expect(maskArea(result.mask)).toBe(0);
    expect(result.warnings).toEqual([]);
  });
});
