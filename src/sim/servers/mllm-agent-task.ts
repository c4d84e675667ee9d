/**
 * agent_step of the simulated MLLM: a SAM 3 Agent-style policy read from the conversation alone.
 * No segment_phrase yet ⇒ segment the planned phrase; the last tool result says `Masks: N` (N > 0) ⇒
 * select all N; `Masks: 0` ⇒ try one more phrase, then report_no_mask. No target seen ⇒ report_no_mask.
 */
import { readLabelledLine, taskResponseSchema } from '../../core/index.js';
import { chosenObject, rawView, uniquePhrases } from './mllm-seg-tasks.js';
import type { TaskAnswer, TaskContext } from './task-context.js';

/** Phrases tried before the agent gives up on an empty result. */
const MAX_EMPTY_ATTEMPTS = 2;

function earlierToolCalls(context: TaskContext): { tool: string; phrase: string | undefined }[] {
  const calls: { tool: string; phrase: string | undefined }[] = [];
  for (const turn of context.turns) {
    if (turn.role !== 'assistant') continue;
    try {
      const parsed = taskResponseSchema('agent_step').safeParse(JSON.parse(turn.text));
      if (parsed.success) calls.push({ tool: parsed.data.tool, phrase: parsed.data.arguments.text_prompt ?? undefined });
    } catch {
      // An assistant turn that is not a tool call (prose) is simply not counted.
    }
  }
  return calls;
}

export function agentStep(context: TaskContext): TaskAnswer {
  // The raw image is the first image of the conversation (later turns show masks).
  const firstImage = context.turns.flatMap((turn) => turn.images)[0];
  const queryTurn = context.turns.find((turn) => readLabelledLine(turn.text, 'Query') !== undefined);
  const agentContext: TaskContext = {
    ...context,
    images: firstImage === undefined ? [] : [firstImage],
    text: queryTurn?.text ?? context.text,
  };
  const view = rawView(agentContext);
  const calls = earlierToolCalls(context);
  const segmentCalls = calls.filter((call) => call.tool === 'segment_phrase');
  const chosen = chosenObject(agentContext, view);
  if (chosen === undefined) return { kind: 'json', value: { tool: 'report_no_mask', arguments: { text_prompt: null, final_answer_masks: null } } };
  const tried = new Set(segmentCalls.map((call) => call.phrase));
  const nextPhrase = uniquePhrases(view.objects, chosen).find((phrase) => !tried.has(phrase));
  if (segmentCalls.length === 0 || calls.at(-1)?.tool !== 'segment_phrase') {
    if (nextPhrase === undefined) return { kind: 'json', value: { tool: 'report_no_mask', arguments: { text_prompt: null, final_answer_masks: null } } };
    return { kind: 'json', value: { tool: 'segment_phrase', arguments: { text_prompt: nextPhrase, final_answer_masks: null } } };
  }
  const masks = Number.parseInt(readLabelledLine(context.text, 'Masks') ?? '0', 10);
  if (Number.isFinite(masks) && masks > 0) {
    return { kind: 'json', value: { tool: 'select_masks_and_return', arguments: { text_prompt: null, final_answer_masks: Array.from({ length: masks }, (_, index) => index + 1) } } };
  }
  if (segmentCalls.length >= MAX_EMPTY_ATTEMPTS || nextPhrase === undefined) return { kind: 'json', value: { tool: 'report_no_mask', arguments: { text_prompt: null, final_answer_masks: null } } };
  return { kind: 'json', value: { tool: 'segment_phrase', arguments: { text_prompt: nextPhrase, final_answer_masks: null } } };
}
