/**
 * agent_step of the simulated MLLM: the SAM 3 Agent's policy (facebookresearch/sam3 sam3/agent/agent_core.py)
 * read from the conversation alone. No mask yet ⇒ segment_phrase with a phrase for what the planner believes
 * is the target; the last result has `Masks: N` with N > 0 after a segment_phrase ⇒ examine_each_mask (the
 * examine calls are verify_mask requests, answered by the simulated verifier with its own latent belief);
 * after examining, `Masks: K` kept ⇒ select all K, K = 0 ⇒ another phrase; `Masks: 0` ⇒ another phrase, up
 * to MAX_PHRASES phrases, then report_no_mask. No target believed ⇒ report_no_mask. The planner's latent
 * belief is the same in every turn, so a misread query stays misread.
 */
import { readLabelledLine, taskResponseSchema } from '../../core/index.js';
import { chosenObject, rawView, uniquePhrases } from './mllm-seg-tasks.js';
import type { TaskAnswer, TaskContext } from './task-context.js';

/** Phrases tried before the agent gives up. */
const MAX_PHRASES = 2;

function lastToolCall(context: TaskContext): string | undefined {
  for (const turn of [...context.turns].reverse()) {
    if (turn.role !== 'assistant') continue;
    try {
      const parsed = taskResponseSchema('agent_step').safeParse(JSON.parse(turn.text));
      if (parsed.success) return parsed.data.tool;
    } catch {
      // An assistant turn that is not a tool call (prose) is simply not counted.
    }
    return undefined;
  }
  return undefined;
}

function triedPhrases(context: TaskContext): string[] {
  const line = readLabelledLine(context.text, 'Tried phrases') ?? '';
  return line.split(';').map((phrase) => phrase.trim()).filter((phrase) => phrase !== '');
}

/** Every argument key present (null when unused), as the strict agent_step schema asks. */
function call(tool: string, args: { text_prompt?: string; final_answer_masks?: number[] } = {}): TaskAnswer {
  return { kind: 'json', value: { tool, arguments: { text_prompt: null, final_answer_masks: null, ...args } } };
}

export function agentStep(context: TaskContext): TaskAnswer {
  // The raw image is the first image of the conversation (later turns show masks).
  const firstImage = context.turns.flatMap((turn) => turn.images)[0];
  const queryTurn = context.turns.find((turn) => readLabelledLine(turn.text, 'Query') !== undefined);
  const agentContext: TaskContext = { ...context, images: firstImage === undefined ? [] : [firstImage], text: queryTurn?.text ?? context.text };
  const view = rawView(agentContext);
  const chosen = chosenObject(agentContext, view);
  if (chosen === undefined) return call('report_no_mask');
  const tried = triedPhrases(context);
  const nextPhrase = uniquePhrases(view.objects, chosen).find((phrase) => !tried.includes(phrase));
  const another = (): TaskAnswer => (tried.length >= MAX_PHRASES || nextPhrase === undefined ? call('report_no_mask') : call('segment_phrase', { text_prompt: nextPhrase }));
  const last = lastToolCall(context);
  const masks = Number.parseInt(readLabelledLine(context.text, 'Masks') ?? '0', 10);
  const count = Number.isFinite(masks) ? masks : 0;
  if (last === 'segment_phrase') return count > 0 ? call('examine_each_mask') : another();
  if (last === 'examine_each_mask') {
    return count > 0 ? call('select_masks_and_return', { final_answer_masks: Array.from({ length: count }, (_, index) => index + 1) }) : another();
  }
  if (tried.length === 0) return nextPhrase === undefined ? call('report_no_mask') : call('segment_phrase', { text_prompt: nextPhrase });
  return another();
}
