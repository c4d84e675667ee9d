/** Chat-completion bodies as OpenAI-compatible servers send them, whole or as SSE chunks. */

export interface ChoiceContent {
  content: string;
  /** 'length' when the answer was cut off (truncated JSON), else 'stop'. */
  finishReason: 'stop' | 'length';
}

export interface UsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** `fingerprint`: the server configuration's system_fingerprint (sim/noise/fingerprint.ts). */
export function completionBody(id: string, model: string, choices: readonly ChoiceContent[], usage: UsageBody, fingerprint: string): unknown {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: fingerprint,
    choices: choices.map((choice, index) => ({
      index,
      message: { role: 'assistant', content: choice.content, refusal: null },
      logprobs: null,
      finish_reason: choice.finishReason,
    })),
    usage,
  };
}

/** Pieces of about this many characters per SSE chunk. */
const CHUNK_CHARACTERS = 16;

/** `data: {chunk}\n\n` lines: role, content pieces, finish reason per choice, optional usage, `[DONE]`. */
export function sseBody(id: string, model: string, choices: readonly ChoiceContent[], usage: UsageBody | undefined, fingerprint: string): string {
  const created = Math.floor(Date.now() / 1000);
  const lines: string[] = [];
  const chunk = (choicesPart: unknown[], extra: Record<string, unknown> = {}): void => {
    lines.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: fingerprint, choices: choicesPart, ...extra })}\n\n`);
  };
  choices.forEach((choice, index) => {
    chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    for (let start = 0; start < choice.content.length; start += CHUNK_CHARACTERS) {
      chunk([{ index, delta: { content: choice.content.slice(start, start + CHUNK_CHARACTERS) }, logprobs: null, finish_reason: null }]);
    }
    chunk([{ index, delta: {}, logprobs: null, finish_reason: choice.finishReason }]);
  });
  if (usage !== undefined) chunk([], { usage });
  lines.push('data: [DONE]\n\n');
  return lines.join('');
}
