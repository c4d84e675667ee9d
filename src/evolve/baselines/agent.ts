/**
 * The `agent` baseline: a SAM 3 Agent-style tool loop. One tool call per turn (agent_step JSON):
 * segment_phrase, examine_each_mask (each mask judged Accept/Reject on a zoomed crop plus context),
 * select_masks_and_return, report_no_mask. The history is pruned to the first messages plus everything
 * since the latest segment_phrase; every user turn lists the phrases tried so far; at most
 * `agent.maxTurns` tool calls. Images attach to the last user message (the ChatRequest contract), so
 * each turn re-sends the raw image first, then the current masks' overlay.
 */
import { createMask } from '../../core/index.js';
import type { Box, ChatImage, ChatMessage, Mask, RgbImage } from '../../core/index.js';
import { cropImage, maskArea, maskBox, orMasks, renderOverlay } from '../../vision/index.js';
import type { SegmentationOptions } from '../evolve-segment.js';
import { createRunContext } from '../evolve-segment.js';
import { agentErrorResult, agentExamineResult, agentFirstTurn, agentSegmentResult, agentSystemPrompt, verifyMaskPrompt } from '../prompts.js';
import { emptyTrace, finishResult } from '../result.js';
import { isUnreadableOutput } from '../run-accounting.js';
import type { RunContext } from '../run-context.js';
import type { AgentTurnRecord, SegmentationResult } from '../trace.js';

/** The mask's box grown by `margin` of its larger side on every edge. */
export function zoomBox(mask: Mask, margin: number): Box | undefined {
  const box = maskBox(mask);
  if (box === null) return undefined;
  const pad = margin * Math.max(box[2] - box[0], box[3] - box[1]);
  return [box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad];
}

async function examineMask(context: RunContext, mask: Mask): Promise<boolean> {
  const overlay = context.overlays.overlay(mask);
  const box = zoomBox(mask, context.config.agent.zoomMargin);
  const zoomed: ChatImage[] = box === undefined ? [] : [cropImage(context.image, box), cropImage(overlay, box)];
  const roles = zoomed.length > 0 ? 'raw, overlay, zoomed raw, zoomed overlay' : 'raw, overlay';
  const prompt = verifyMaskPrompt(context.queryLine, roles);
  try {
    const result = await context.ask('judge', 'verify_mask', { ...prompt, images: [context.image, overlay, ...zoomed], masks: [mask], stage: 'agent-examine' });
    return result.value.answer === 'yes';
  } catch (error) {
    if (!isUnreadableOutput(error)) throw error;
    context.warn('examine-unparsable', 'examine_each_mask verdict could not be read; mask rejected (documented fallback)');
    return false;
  }
}

function masksOverlay(context: RunContext, masks: readonly Mask[]): ChatImage[] {
  if (masks.length === 0) return [context.image];
  return [context.image, renderOverlay(context.image, [...masks], { outlineBox: true, labels: masks.map((_, index) => String(index + 1)) })];
}

export async function agentSegment(image: RgbImage, query: string, options: SegmentationOptions): Promise<SegmentationResult> {
  const context = createRunContext(image, query, options);
  const trace = emptyTrace('agent', context, 'agent');
  const turns: AgentTurnRecord[] = [];
  trace.agentTurns = turns;
  context.emit({ type: 'segmentation-start', method: 'agent', query });
  const { maxTurns } = context.config.agent;
  const system = agentSystemPrompt(maxTurns);
  const firstUser: ChatMessage = { role: 'user', content: agentFirstTurn(context.queryLine) };
  let sinceSegment: ChatMessage[] = [];
  let user = firstUser.content;
  let images: ChatImage[] = [image];
  let masks: Mask[] = [];
  let selected: Mask | undefined;
  let noTarget = false;
  const tried: string[] = [];

  for (let turn = 1; turn <= maxTurns && selected === undefined; turn += 1) {
    context.signal?.throwIfAborted();
    const history = turn === 1 ? [] : [firstUser, ...sinceSegment];
    let step;
    try {
      step = await context.ask('mllm', 'agent_step', { system, user, history, images, stage: 'agent' });
    } catch (error) {
      if (!isUnreadableOutput(error)) throw error;
      context.warn('agent-unparsable', `agent turn ${turn}: tool call could not be read; the agent is told and continues`);
      turns.push({ turn, tool: 'unreadable' });
      sinceSegment = [...sinceSegment, ...(turn === 1 ? [] : [{ role: 'user' as const, content: user }])];
      user = agentErrorResult('your last answer was not a valid tool call JSON', masks.length, tried);
      continue;
    }
    const { tool, arguments: args } = step.value;
    const assistant: ChatMessage = { role: 'assistant', content: JSON.stringify(step.value) };
    const previousUser: ChatMessage[] = turn === 1 ? [] : [{ role: 'user', content: user }];
    context.emit({ type: 'agent-turn', turn, tool, ...(args.text_prompt === null ? {} : { phrase: args.text_prompt }) });

    if (tool === 'segment_phrase') {
      const phrase = args.text_prompt?.trim() ?? '';
      if (phrase === '') {
        turns.push({ turn, tool, note: 'missing text_prompt' });
        sinceSegment = [...sinceSegment, ...previousUser, assistant];
        user = agentErrorResult('segment_phrase needs a non-empty text_prompt', masks.length, tried);
        continue;
      }
      const result = await context.segmentText(phrase, 'agent-segment');
      masks = [...result.instances]
        .filter((instance) => maskArea(instance.mask) >= context.config.minInstancePixels)
        .sort((a, b) => b.score - a.score)
        .map((instance) => instance.mask);
      tried.push(phrase);
      turns.push({ turn, tool, phrase, masks: masks.length });
      // Pruning: keep the first messages plus everything from this segment_phrase on.
      sinceSegment = [assistant];
      user = agentSegmentResult(phrase, masks.length, tried);
      images = masksOverlay(context, masks);
    } else if (tool === 'examine_each_mask') {
      const verdicts = await context.map(masks, (mask) => examineMask(context, mask));
      const accepted = verdicts.flatMap((verdict, index) => (verdict ? [index + 1] : []));
      turns.push({ turn, tool, masks: masks.length, accepted });
      masks = masks.filter((_, index) => verdicts[index] === true);
      sinceSegment = [...sinceSegment, ...previousUser, assistant];
      user = agentExamineResult(verdicts, tried);
      images = masksOverlay(context, masks);
    } else if (tool === 'select_masks_and_return') {
      const indices = args.final_answer_masks ?? [];
      const valid = indices.filter((index) => index >= 1 && index <= masks.length);
      if (valid.length < indices.length) context.warn('agent-bad-index', `agent selected masks ${indices.join(', ')} of ${masks.length}; out-of-range indices ignored`);
      turns.push({ turn, tool, selected: valid });
      selected = orMasks(valid.flatMap((index) => masks[index - 1] ?? []), image);
      noTarget = indices.length === 0;
    } else {
      turns.push({ turn, tool });
      selected = createMask(image.width, image.height);
      noTarget = tool === 'report_no_mask';
    }
  }
  if (selected === undefined) context.warn('agent-turn-cap', `the agent made ${maxTurns} tool calls without finishing; no mask returned`);
  return finishResult(context, trace, { mask: selected ?? createMask(image.width, image.height), noTarget });
}
